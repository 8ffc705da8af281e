using System.Diagnostics;
using Kallglot.Benchmarks.Harness;
using Kallglot.Pacing;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// What this machine allows any pacer: one dedicated thread sleeping (Thread.Sleep to the remaining
/// whole milliseconds, measured with Stopwatch) to each 20 ms deadline, nothing else running.
/// Pacing rows are read against it: a max above the target here is the machine's, not the module's.
/// </summary>
internal static class PacingFloorMeasurement
{
    public static BenchmarkRow Run(TimeSpan duration)
    {
        var gc = GcActivity.Start();
        var deviation = OnItsOwnThread(duration, CancellationToken.None).GetAwaiter().GetResult();
        return new BenchmarkRow($"Pacing floor of this machine: one bare thread sleeping to each 20 ms deadline, nothing else running, {duration.TotalSeconds:0} s: p50 / p99 / max",
            $"{deviation.P50.TotalMilliseconds:0.00} / {deviation.P99.TotalMilliseconds:0.00} / {deviation.Max.TotalMilliseconds:0.00} ms", "-", "-", "(reference, no target)", true,
            $"{deviation.Frames:N0} frames, {deviation.Frames - deviation.CountWithin(TimeSpan.FromMilliseconds(3)):N0} over 3 ms; {gc.Summary()}");
    }

    /// <summary>The same bare thread, run beside a measurement until <paramref name="stop"/>: the floor under that load, in that process.</summary>
    public static Task<PacingDeviation> RunBeside(CancellationToken stop) => OnItsOwnThread(TimeSpan.FromHours(1), stop);

    private static Task<PacingDeviation> OnItsOwnThread(TimeSpan duration, CancellationToken stop) =>
        Task.Factory.StartNew(() => SleepToDeadlines(duration, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static PacingDeviation SleepToDeadlines(TimeSpan duration, CancellationToken stop)
    {
        var deviation = new PacingDeviation();
        var frames = (int)(duration / TimeSpan.FromMilliseconds(20));
        var start = Stopwatch.GetTimestamp();
        for (var frame = 0; frame < frames && !stop.IsCancellationRequested; frame++)
        {
            var due = start + (long)(frame * 0.02 * Stopwatch.Frequency);
            double remaining;
            while ((remaining = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency) > 0.5)
            {
                Thread.Sleep((int)Math.Round(remaining, MidpointRounding.AwayFromZero));
            }
            deviation.Add(Stopwatch.GetElapsedTime(due));
        }
        return deviation;
    }
}
