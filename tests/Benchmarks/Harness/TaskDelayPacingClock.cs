using System.Diagnostics;
using Kallglot.Audio;

namespace Kallglot.Benchmarks.Harness;

/// <summary>
/// The baseline pacer: one Task.Delay per frame to the same absolute schedule (what the module did
/// before it had a pacer of its own, and the usual way to pace in .NET).
/// </summary>
internal sealed class TaskDelayPacingClock : PacingClock
{
    public static TaskDelayPacingClock Instance { get; } = new();

    public override long Now => Stopwatch.GetTimestamp();

    public override ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        return wait > TimeSpan.Zero ? new ValueTask(Task.Delay(wait, cancellationToken)) : ValueTask.CompletedTask;
    }
}
