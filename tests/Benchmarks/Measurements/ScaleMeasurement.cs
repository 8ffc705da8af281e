using System.Diagnostics;
using Kallglot.Audio;
using Kallglot.Benchmarks.Harness;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Many streams at once in this one process, each sending paced speech-like audio and receiving its
/// events: CPU seconds, peak working set, and events lost (the emulator's count sent against the client's received).
/// </summary>
internal static class ScaleMeasurement
{
    public static async Task<BenchmarkRow[]> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int streams, TimeSpan audio)
    {
        var path = Path.Combine(context.Scratch, "bursts.ulaw");
        await File.WriteAllBytesAsync(path, SpeechBursts(audio));
        var client = new KallglotClient(new KallglotClientOptions { BaseUri = emulator.BaseUri, ApiKey = new KallglotSecret(emulator.ApiKey) });
        var opened = new List<KallglotStream>();
        for (var i = 0; i < streams; i++)
        {
            opened.Add(await KallglotStream.ConnectAsync(await client.CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100"))));
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(100);
            }
        });

        var received = new long[streams];
        var receivers = opened.Select((stream, i) => Task.Run(async () =>
        {
            while (await stream.WaitForEventAsync())
            {
                while (stream.TryReadEvent(out _))
                {
                    received[i]++;
                }
            }
        })).ToArray();
        var senders = opened.Select(stream => Task.Run(async () =>
        {
            using var reader = MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw);
            await AudioSender.SendAsync(stream, reader, "caller", paced: true);
        })).ToArray();
        await Task.WhenAll(senders);

        // Translated audio is still playing out: end each session once the emulator has sent all of it.
        foreach (var stream in opened)
        {
            await emulator.WaitForSessionAsync(stream.SessionId, s => s.GetProperty("utterances").GetInt32() >= (int)(audio.TotalSeconds / 2) - 1, TimeSpan.FromMinutes(2));
        }
        await Task.Delay(1500);
        foreach (var stream in opened)
        {
            await emulator.PostAsync($"/_emulator/sessions/{stream.SessionId}/end", new { reason = "benchmark_done" });
        }
        await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromMinutes(2));
        sampling.Cancel();
        await sampler;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;

        long sent = 0;
        foreach (var stream in opened)
        {
            sent += (await emulator.GetAsync($"/_emulator/sessions/{stream.SessionId}")).GetProperty("eventsSent").GetInt64();
            await stream.DisposeAsync();
        }
        var lost = sent - received.Sum();
        File.Delete(path);
        var streamMinutes = streams * audio.TotalMinutes;
        var perStreamMinute = cpu / streamMinutes;
        var peakMb = peak / 1024.0 / 1024.0;
        return
        [
            new BenchmarkRow($"Scale: {streams} streams x {audio.TotalSeconds:0} s paced, CPU per stream-minute", $"{perStreamMinute:0.00} CPU-s", "1 CPU-s (target)", $"{perStreamMinute:P0} of target", "< 1 CPU-s", perStreamMinute < 1,
                $"{cpu:0.0} CPU-s in all"),
            new BenchmarkRow($"Scale: {streams} streams, peak working set", $"{peakMb:0} MB", "400 MB (target)", $"{peakMb / 400:P0} of target", "< 400 MB", peakMb < 400),
            new BenchmarkRow($"Scale: {streams} streams, events lost", $"{lost} of {sent:N0}", "0", lost == 0 ? "-" : "LOST", "0", lost == 0),
        ];
    }

    private static byte[] SpeechBursts(TimeSpan duration)
    {
        // One second of a 1 kHz tone, one second of silence, repeated: an utterance every two seconds.
        var samples = (int)(duration.TotalSeconds * 8000);
        var audio = new byte[samples];
        for (var n = 0; n < samples; n++)
        {
            var speaking = n / 8000 % 2 == 0;
            audio[n] = speaking ? MuLaw.Encode((short)(8000 * Math.Sin(2 * Math.PI * 1000 * n / 8000))) : (byte)0xFF;
        }
        return audio;
    }
}
