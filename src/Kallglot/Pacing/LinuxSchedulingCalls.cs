using System.Runtime.InteropServices;

namespace Kallglot.Pacing;

/// <summary>The Linux system calls behind <see cref="ISchedulingCalls"/>, for the calling thread.</summary>
internal sealed class LinuxSchedulingCalls : ISchedulingCalls
{
    private const int SchedOther = 0;
    private const int SchedFifo = 1;
    // Threads the pacer's thread starts (the thread pool may start one while the pacer queues work) begin at normal priority.
    private const int ResetOnFork = 0x40000000;
    private const int ResourceNice = 13;
    private const int ResourceRealTimePriority = 14;
    // With no id, both calls act on the calling thread.
    private const int ThisProcessOrThread = 0;

    public int SetRealTime(int priority)
    {
        var parameter = priority;
        return sched_setscheduler(ThisProcessOrThread, SchedFifo | ResetOnFork, ref parameter) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public int SetNormal()
    {
        var parameter = 0;
        return sched_setscheduler(ThisProcessOrThread, SchedOther | ResetOnFork, ref parameter) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public int SetNice(int nice)
    {
        var refusal = SetNormal();
        if (refusal != 0)
        {
            return refusal;
        }
        // On Linux a nice value belongs to a thread, and PRIO_PROCESS with no id means the calling one.
        return setpriority(0, ThisProcessOrThread, nice) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public int RealTimeLimit() => getrlimit(ResourceRealTimePriority, out var limit) == 0 ? (int)Math.Min(limit.Current, 99UL) : 0;

    public int NiceFloor() => getrlimit(ResourceNice, out var limit) == 0 ? 20 - (int)Math.Min(limit.Current, 40UL) : 20;

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int parameter);

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int priority);

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out ResourceLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
