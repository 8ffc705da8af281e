using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>Frames per second sending an hour of 8 kHz audio unpaced: Send-KallglotAudio -NoPacing against a plain C# loop sending the same frames.</summary>
internal static class SendThroughputMeasurement
{
    private const string ModuleScript = PlainWebSocket.ModuleScriptPrologue + """
        $stream = New-BenchmarkStream
        $result = $stream | Send-KallglotAudio -Path $env:KG_AUDIO -Encoding MuLaw -NoPacing -PassThru
        # Closing before the emulator has read the socket's backlog would cut it short: wait for its count first.
        do { Start-Sleep -Milliseconds 100 } until ((Invoke-RestMethod "$($env:KG_BASE)_emulator/sessions/$($stream.SessionId)").framesReceived -ge $result.Frames)
        $stream | Disconnect-KallglotStream
        @{ frames = $result.Frames; seconds = $result.Elapsed.TotalSeconds; session = $stream.SessionId } | ConvertTo-Json -Compress
        """;

    public static async Task<BenchmarkRow> RunAsync(BenchmarkContext context, EmulatorProcess emulator, TimeSpan audio)
    {
        var path = Path.Combine(context.Scratch, "hour.ulaw");
        WriteQuietAudio(path, audio);
        var frames = (int)(audio.TotalMilliseconds / 20);

        // The emulator shares the two cores, so single runs vary: three alternating runs each, medians compared.
        var baselineRates = new List<double>();
        var moduleRates = new List<double>();
        var environment = context.ScriptEnvironment(emulator);
        environment["KG_AUDIO"] = path;
        for (var run = 0; run < 3; run++)
        {
            baselineRates.Add(await CSharpLoopAsync(emulator, path, frames));
            var module = context.PowerShell.RunJson(ModuleScript, environment);
            moduleRates.Add(module.GetProperty("frames").GetDouble() / module.GetProperty("seconds").GetDouble());
        }
        var baselineRate = Percentiles.Median(baselineRates);
        var moduleRate = Percentiles.Median(moduleRates);
        File.Delete(path);

        return new BenchmarkRow($"Send {audio.TotalMinutes:0} min of audio unpaced ({frames:N0} frames), vs plain C# loop (median of 3)",
            $"{moduleRate:N0} frames/s", $"{baselineRate:N0} frames/s", $"{moduleRate / baselineRate:P0}", ">= 80%", moduleRate / baselineRate >= 0.8,
            $"runs: module {string.Join(", ", moduleRates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}; C# {string.Join(", ", baselineRates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    private static void WriteQuietAudio(string path, TimeSpan duration)
    {
        // Low noise that the emulator's voice detection treats as silence: frames are processed, no utterances.
        var random = new Random(7);
        using var file = File.Create(path);
        var block = new byte[8000];
        for (var second = 0; second < (int)duration.TotalSeconds; second++)
        {
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = (byte)(0xF8 + random.Next(8));
            }
            file.Write(block);
        }
    }

    private static async Task<double> CSharpLoopAsync(EmulatorProcess emulator, string path, int frames)
    {
        var (id, uri) = await emulator.CreateSessionPlainAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None);
        await using var file = File.OpenRead(path);
        var payload = new byte[160];
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer);
        long sequence = 0;
        var stopwatch = Stopwatch.StartNew();
        while (file.Read(payload) == payload.Length)
        {
            await socket.SendAsync(PlainWebSocket.WriteAudioFrame(buffer, writer, ++sequence, payload), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        stopwatch.Stop();
        // Disposing the socket aborts it: the emulator must have read every frame first.
        await emulator.WaitForSessionAsync(id, s => s.GetProperty("framesReceived").GetInt64() == frames, TimeSpan.FromMinutes(5));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return sequence / stopwatch.Elapsed.TotalSeconds;
    }
}
