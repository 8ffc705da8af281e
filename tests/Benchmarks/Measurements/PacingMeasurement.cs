using System.Diagnostics;
using Kallglot.Audio;
using Kallglot.Benchmarks.Harness;
using Kallglot.Pacing;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Per-frame deviation from schedule (client-side timestamps, taken as each frame leaves for the
/// socket) over paced speech on N concurrent streams, each also receiving its transcripts and
/// translated audio: the module's frame pacer, then, in the same run on the same streams' setup,
/// the naive pacer (one Task.Delay per frame to the same absolute schedule).
/// </summary>
internal static class PacingMeasurement
{
    public static async Task<BenchmarkRow[]> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int streams, TimeSpan audio, double p99TargetMs, double? maxTargetMs, bool asBackground = false)
    {
        var path = await SpeechBursts.WriteAsync(context.Scratch, audio);
        // The first paced frames of a process run its send path through the JIT: warmed apart, on one stream, not counted.
        await RunOnceAsync(emulator, await SpeechBursts.WriteAsync(context.Scratch, TimeSpan.FromSeconds(2)), 1, PacingClock.System, asBackground: asBackground);
        // A bare thread sleeping to its own deadlines beside the module's run: the floor under the same load, GC pauses included.
        using var stopBeside = new CancellationTokenSource();
        var beside = PacingFloorMeasurement.RunBeside(stopBeside.Token);
        var leftBefore = FramePacer.Shared.RealTimeLeft;
        using var attribution = LateFrameAttribution.Start(capacity: streams * ((int)(audio.TotalSeconds * 50) + 1));
        var module = await RunOnceAsync(emulator, path, streams, PacingClock.System, attribution, asBackground);
        var late = asBackground
            ? "each stream's file sent through the stream's background send, the call Send-KallglotAudio -Background makes (in this process, no pwsh), so its late frames are not attributed"
            : attribution.Summary();
        var left = FramePacer.Shared.RealTimeLeft - leftBefore;
        stopBeside.Cancel();
        var floor = await beside;
        var naive = await RunOnceAsync(emulator, path, streams, TaskDelayPacingClock.Instance);

        var label = (streams == 1 ? "1 stream" : $"{streams} concurrent streams") + (asBackground ? " as background sends" : "");
        var p99 = module.Deviation.P99.TotalMilliseconds;
        var max = module.Deviation.Max.TotalMilliseconds;
        var deviationMet = p99 <= p99TargetMs && (maxTargetMs is null || max <= maxTargetMs);
        var notes = $"a bare thread sleeping to 20 ms deadlines beside the module's run, same process: {Format(floor)}; machine CPU busy {module.MachineBusy:P0} (naive run {naive.MachineBusy:P0}); {module.Deviation.Frames:N0} frames, {module.Deviation.Frames - module.Deviation.CountWithin(TimeSpan.FromMilliseconds(3)):N0} over 3 ms; pacer thread at {FramePacer.Shared.Priority}, woke {module.Wakes:N0} times, left real time for late frames {left:N0} times; {late}; {module.Gc}";
        var deviationRow =
            new BenchmarkRow($"Pacing, {label} x {audio.TotalSeconds:0} s: deviation from schedule p50 / p99 / max",
                Format(module.Deviation), $"{Format(naive.Deviation)} (Task.Delay per frame)",
                $"p99 {p99 / naive.Deviation.P99.TotalMilliseconds:P0} of naive",
                maxTargetMs is null ? $"p99 <= {p99TargetMs} ms" : $"p99 <= {p99TargetMs} ms, max <= {maxTargetMs} ms", deviationMet, notes);
        // A background send keeps no per-frame lateness to read its last second from: no drift row for it.
        if (asBackground)
        {
            return [deviationRow];
        }
        return
        [
            deviationRow,
            new BenchmarkRow($"Pacing, {label} x {audio.TotalSeconds:0} s: drift, the median lateness of each stream's last second of frames (worst stream)",
                $"{module.DriftMs:0.00} ms", $"{naive.DriftMs:0.00} ms (naive)",
                naive.DriftMs > 0 ? $"{module.DriftMs / naive.DriftMs:P0} of naive" : "-", "<= 1 ms", module.DriftMs <= 1,
                $"the last frame alone, as this row read before 2026-12-02: {module.LastFrameMs:0.00} ms (naive {naive.LastFrameMs:0.00}), one frame's jitter, which the deviation row counts"),
        ];
    }

    private static string Format(PacingDeviation deviation) =>
        $"{deviation.P50.TotalMilliseconds:0.00} / {deviation.P99.TotalMilliseconds:0.00} / {deviation.Max.TotalMilliseconds:0.00} ms";

    private static async Task<(PacingDeviation Deviation, double DriftMs, double LastFrameMs, double? MachineBusy, long Wakes, string Gc)> RunOnceAsync(EmulatorProcess emulator, string path, int streams, PacingClock clock,
        LateFrameAttribution? attribution = null, bool asBackground = false)
    {
        var client = new KallglotClient(new KallglotClientOptions { BaseUri = emulator.BaseUri, ApiKey = new KallglotSecret(emulator.ApiKey) });
        var opened = new List<KallglotStream>();
        for (var i = 0; i < streams; i++)
        {
            opened.Add(await KallglotStream.ConnectAsync(await client.CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100"))));
        }
        var receivers = opened.Select(stream => Task.Run(async () =>
        {
            try
            {
                // One reader held for the whole run, as Receive-KallglotStream holds it.
                using var reader = stream.OpenReader();
                while (await reader.WaitToReadAsync())
                {
                    while (reader.TryRead(out _))
                    {
                    }
                }
            }
            catch (KallglotStreamException)
            {
                // Closed under the reader at the end of the run.
            }
        })).ToArray();

        var wakesBefore = FramePacer.Shared.Wakes;
        AllocationSampler.Restart();
        var gc = GcActivity.Start();
        var cpu = new MachineCpu();
        // Calls start at independent moments: each stream's schedule starts at its own point within one frame.
        var random = new Random(1);
        var senders = opened.Select(stream =>
        {
            var offset = TimeSpan.FromMilliseconds(random.NextDouble() * 20);
            return Task.Run(async () =>
            {
                await Task.Delay(offset);
                using var reader = MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw);
                // Drift is error that builds up over a send: read from the frames of its last second, not from one frame's jitter.
                var lastSecond = new double[50];
                var noted = 0;
                void Note(TimeSpan lateness)
                {
                    attribution?.Note(lateness);
                    lastSecond[noted++ % lastSecond.Length] = lateness.TotalMilliseconds;
                }
                // As -Background sends: through the stream's own background send, whose frames' lateness only its result holds.
                var result = asBackground
                    ? await stream.StartBackgroundSend(reader, "caller", paced: true).Completion
                    : await AudioSender.SendAsync(stream, reader, "caller", paced: true, clock: clock, lateness: Note);
                return (Result: result, DriftMs: Percentiles.Median(lastSecond.Take(Math.Min(noted, lastSecond.Length)).ToList()));
            });
        }).ToArray();
        var results = await Task.WhenAll(senders);
        var busy = cpu.BusySinceStart();
        var wakes = FramePacer.Shared.Wakes - wakesBefore;
        var gcSummary = gc.Summary(results.Sum(r => r.Result.Frames));
        AllocationSampler.PrintAndRestart($"{streams} streams, {(attribution is null ? "the naive pacer or warm-up" : "the module's pacer")}");

        foreach (var stream in opened)
        {
            await stream.DisposeAsync();
        }
        await Task.WhenAll(receivers);
        var drift = results.Max(r => Math.Abs(r.DriftMs));
        var lastFrame = results.Max(r => Math.Abs((r.Result.Elapsed - ((r.Result.Frames - 1) * TimeSpan.FromMilliseconds(20))).TotalMilliseconds));
        return (PacingDeviation.Combine(results.Select(r => r.Result.Pacing)), drift, lastFrame, busy, wakes, gcSummary);
    }
}
