using System.Diagnostics;

namespace Kallglot.Audio;

/// <summary>The clock a paced send waits on. The real one is the Stopwatch; tests give one whose waits oversleep by chosen amounts.</summary>
public abstract class PacingClock
{
    /// <summary>The machine's monotonic clock.</summary>
    public static PacingClock System { get; } = new StopwatchClock();

    /// <summary>Now, in <see cref="Stopwatch"/> ticks.</summary>
    public abstract long Now { get; }

    /// <summary>Waits until <paramref name="due"/> (Stopwatch ticks) or later.</summary>
    public abstract Task WaitUntilAsync(long due, CancellationToken cancellationToken);

    private sealed class StopwatchClock : PacingClock
    {
        public override long Now => Stopwatch.GetTimestamp();

        public override async Task WaitUntilAsync(long due, CancellationToken cancellationToken)
        {
            // Task.Delay counts whole milliseconds and may wake a fraction early: wait again until the due time has truly passed.
            while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) is var wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
