using System.Diagnostics;
using Kallglot.Audio;
using Kallglot.Benchmarks.Harness;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Per-frame lateness against the schedule over paced audio: the module's absolute-clock pacing,
/// and beside it, in the same run, a naive loop that sleeps 20 ms per frame (the usual first attempt).
/// </summary>
internal static class PacingMeasurement
{
    public static async Task<BenchmarkRow[]> RunAsync(BenchmarkContext context, EmulatorProcess emulator, TimeSpan audio)
    {
        var path = Path.Combine(context.Scratch, "paced.ulaw");
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)0xFF, (int)(audio.TotalSeconds * 8000)).ToArray());
        var client = new KallglotClient(new KallglotClientOptions { BaseUri = emulator.BaseUri, ApiKey = new KallglotSecret(emulator.ApiKey) });
        await using var moduleStream = await KallglotStream.ConnectAsync(await client.CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100")));
        await using var naiveStream = await KallglotStream.ConnectAsync(await client.CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100")));

        var lateness = new List<double>();
        using var reader = MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw);
        var moduleTask = AudioSender.SendAsync(moduleStream, reader, "caller", paced: true, lateness: late => lateness.Add(Math.Abs(late.TotalMilliseconds)));
        var naiveTask = NaiveAsync(naiveStream, (int)(audio.TotalMilliseconds / 20));
        var result = await moduleTask;
        var (naiveLateness, naiveDrift) = await naiveTask;
        File.Delete(path);

        var drift = (result.Elapsed - audio + TimeSpan.FromMilliseconds(20)).TotalMilliseconds;
        var p99 = Percentiles.Of(lateness, 99);
        return
        [
            new BenchmarkRow($"Pacing over {audio.TotalSeconds:0} s: per-frame deviation from schedule p50 / p99 / max",
                $"{Percentiles.Of(lateness, 50):0.00} / {p99:0.00} / {lateness.Max():0.00} ms",
                $"{Percentiles.Of(naiveLateness, 50):0.00} / {Percentiles.Of(naiveLateness, 99):0.00} / {naiveLateness.Max():0.00} ms (naive 20 ms sleeps)",
                $"p99 {p99 / Percentiles.Of(naiveLateness, 99):P1} of naive", "p99 <= 2 ms", p99 <= 2),
            new BenchmarkRow($"Pacing over {audio.TotalSeconds:0} s: drift at the end", $"{drift:0.00} ms", $"{naiveDrift:0} ms (naive)",
                $"{Math.Abs(drift) / naiveDrift:P1} of naive", "<= 5 ms", Math.Abs(drift) <= 5),
        ];
    }

    private static async Task<(List<double> Lateness, double Drift)> NaiveAsync(KallglotStream stream, int frames)
    {
        var payload = new byte[160];
        Array.Fill(payload, (byte)0xFF);
        var lateness = new List<double>(frames);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < frames; i++)
        {
            lateness.Add(Math.Abs(Stopwatch.GetElapsedTime(started).TotalMilliseconds - (i * 20.0)));
            await stream.SendAudioAsync(payload, "caller");
            await Task.Delay(20);
        }
        return (lateness, Stopwatch.GetElapsedTime(started).TotalMilliseconds - (frames * 20.0));
    }
}
