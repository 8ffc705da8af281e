namespace Kallglot.Pacing;

/// <summary>The scheduling the frame pacer's thread runs under.</summary>
internal enum PacerPriorityKind
{
    /// <summary>The operating system's normal scheduling: the process may not raise a thread, or was told not to.</summary>
    Normal,

    /// <summary>A higher share of the normal scheduler (a negative nice value on Linux, Highest on Windows).</summary>
    Raised,

    /// <summary>Real-time scheduling (Linux SCHED_FIFO): woken ahead of every normal thread.</summary>
    RealTime,
}
