namespace Kallglot.Pacing;

/// <summary>
/// Raises the frame pacer's thread to the highest scheduling the process is allowed, so that on a busy
/// machine it wakes on time rather than behind the other threads: real-time (SCHED_FIFO) where the process
/// may (CAP_SYS_NICE, or RLIMIT_RTPRIO above 0), else a negative nice value where RLIMIT_NICE allows one,
/// else normal. The thread sleeps between deadlines and hands frames on for at most a quarter of a
/// millisecond a wake, so a real-time pacer takes little from the rest; threads it starts do not inherit
/// its priority. <c>KALLGLOT_PACER_PRIORITY=Normal</c> in the environment keeps it at normal priority.
/// </summary>
internal static class PacerThreadPriority
{
    /// <summary>The environment variable that, set to Normal, keeps the pacer at normal priority.</summary>
    public const string EnvironmentVariable = "KALLGLOT_PACER_PRIORITY";

    /// <summary>The SCHED_FIFO priority asked for: above every normal thread, low among real-time ones (audio servers use 20 to 88).</summary>
    public const int RealTimePriority = 10;

    /// <summary>The nice value asked for when real-time scheduling is refused (measured at 100 streams; see <see cref="PacerPriority"/>).</summary>
    public const int RaisedNice = -15;

    // ENOSYS, the same number on every Linux architecture .NET runs on.
    private const int NotImplemented = 38;

    private const string HowToAllow = "allow it real-time scheduling with LimitRTPRIO=10 in a systemd unit, 'rtprio 10' in /etc/security/limits.conf or CAP_SYS_NICE, for steadier pacing on a busy machine";

    /// <summary>Whether the environment's setting (<see cref="EnvironmentVariable"/>) leaves the pacer free to raise its priority.</summary>
    public static bool IsWanted(string? setting) => !string.Equals(setting?.Trim(), "Normal", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the pacer runs at when it was told not to raise its priority.</summary>
    public static PacerPriority NotRaised { get; } = new(PacerPriorityKind.Normal, 0, $"{EnvironmentVariable} is Normal");

    /// <summary>
    /// Raises the calling thread as far as the platform and the process allow, and says how far that was, with the Linux calls
    /// that can move it between real time and normal later (null elsewhere, or when they cannot be used).
    /// </summary>
    public static (PacerPriority Priority, ISchedulingCalls? Scheduling) RaiseCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var calls = new LinuxSchedulingCalls();
                return (Raise(calls), calls);
            }
            if (OperatingSystem.IsWindows())
            {
                // Any Windows process may raise its own threads this far; real-time priority classes are the process's to choose, not a module's.
                Thread.CurrentThread.Priority = ThreadPriority.Highest;
                return (new PacerPriority(PacerPriorityKind.Raised, 0, "Windows lets a process raise its own threads to Highest"), null);
            }
            return (new PacerPriority(PacerPriorityKind.Normal, 0, "the module raises the pacer's priority on Linux and Windows only"), null);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return (new PacerPriority(PacerPriorityKind.Normal, 0, "this system's C library does not offer the scheduling calls"), null);
        }
        catch (Exception exception)
        {
            // A priority is a refinement: whatever refused it, the pacer paces at normal priority rather than not at all.
            return (new PacerPriority(PacerPriorityKind.Normal, 0, $"raising it failed ({exception.GetType().Name})"), null);
        }
    }

    /// <summary>The order of attempts on Linux, through <paramref name="calls"/>.</summary>
    public static PacerPriority Raise(ISchedulingCalls calls)
    {
        var refusal = calls.SetRealTime(RealTimePriority);
        if (refusal == 0)
        {
            return new PacerPriority(PacerPriorityKind.RealTime, RealTimePriority, $"the process may schedule threads in real time; it goes back to normal priority while its frames run late on saturated cores");
        }
        if (refusal == NotImplemented)
        {
            // musl (Alpine) answers every scheduling-policy call so; no limit or capability would change it.
            return new PacerPriority(PacerPriorityKind.Normal, 0, "this system's C library does not implement scheduling policies (sched_setscheduler)");
        }
        var realTimeLimit = Math.Min(RealTimePriority, calls.RealTimeLimit());
        if (realTimeLimit >= 1 && calls.SetRealTime(realTimeLimit) == 0)
        {
            return new PacerPriority(PacerPriorityKind.RealTime, realTimeLimit, $"the process may schedule threads in real time up to priority {realTimeLimit} (RLIMIT_RTPRIO); it goes back to normal priority while its frames run late on saturated cores");
        }
        if (calls.SetNice(RaisedNice) == 0)
        {
            return new PacerPriority(PacerPriorityKind.Raised, RaisedNice, $"the process may not schedule threads in real time; {HowToAllow}");
        }
        var niceFloor = Math.Max(RaisedNice, calls.NiceFloor());
        if (niceFloor < 0 && calls.SetNice(niceFloor) == 0)
        {
            return new PacerPriority(PacerPriorityKind.Raised, niceFloor, $"the process may not schedule threads in real time; {HowToAllow}");
        }
        return new PacerPriority(PacerPriorityKind.Normal, 0, $"the process may not raise a thread's priority; {HowToAllow}");
    }
}
