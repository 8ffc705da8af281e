namespace Kallglot.Pacing;

/// <summary>The operating system's calls that change the calling thread's scheduling; each returns 0 or the error number it failed with.</summary>
internal interface ISchedulingCalls
{
    /// <summary>Puts the calling thread under SCHED_FIFO at <paramref name="priority"/>, its children not inheriting it.</summary>
    int SetRealTime(int priority);

    /// <summary>Puts the calling thread back under the normal scheduler at the nice value it had, its children not inheriting anything raised.</summary>
    int SetNormal();

    /// <summary>Keeps the calling thread under the normal scheduler at <paramref name="nice"/>, its children not inheriting it.</summary>
    int SetNice(int nice);

    /// <summary>The highest SCHED_FIFO priority an unprivileged thread may take (RLIMIT_RTPRIO).</summary>
    int RealTimeLimit();

    /// <summary>The lowest nice value an unprivileged thread may take (20 minus RLIMIT_NICE).</summary>
    int NiceFloor();
}
