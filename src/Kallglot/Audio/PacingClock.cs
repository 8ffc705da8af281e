using System.Diagnostics;
using Kallglot.Pacing;

namespace Kallglot.Audio;

/// <summary>The clock a paced send waits on. The real one is the process's frame pacer (one thread for every stream); tests give one whose waits oversleep by chosen amounts.</summary>
public abstract class PacingClock
{
    /// <summary>The machine's monotonic clock, waited on through the process's frame pacer.</summary>
    public static PacingClock System { get; } = new FramePacerClock(FramePacer.Shared);

    /// <summary>Now, in <see cref="Stopwatch"/> ticks.</summary>
    public abstract long Now { get; }

    /// <summary>Waits until <paramref name="due"/> (Stopwatch ticks), give or take the clock's precision.</summary>
    public abstract ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken);

    /// <summary>When a new paced send's first frame is due, its frames <paramref name="frameTicks"/> apart; this clock: at once.</summary>
    public virtual long StartOfSchedule(long frameTicks) => Now;

    /// <summary>The machine's monotonic clock, waited on through <paramref name="pacer"/> (tests give a pacer of their own).</summary>
    internal static PacingClock On(FramePacer pacer) => new FramePacerClock(pacer);

    private sealed class FramePacerClock(FramePacer pacer) : PacingClock
    {
        public override long Now => Stopwatch.GetTimestamp();

        public override ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken) => pacer.WaitUntilAsync(due, cancellationToken);

        public override long StartOfSchedule(long frameTicks) => pacer.SpreadStart(Now, frameTicks);
    }
}
