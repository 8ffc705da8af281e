using Kallglot.Pacing;

namespace Kallglot.Tests.Infrastructure;

/// <summary>A test of what a real-time pacer thread does on Linux; skipped, with the reason, where the process may not schedule in real time.</summary>
public sealed class RealTimeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "reads the thread's scheduling from Linux's /proc";
        }
        string? refusal = null;
        // Asked on a thread of its own, which ends with the answer: no test thread is left in real time.
        var probe = new Thread(() =>
        {
            if (new LinuxSchedulingCalls().SetRealTime(1) != 0)
            {
                refusal = "the process may not schedule threads in real time here (it needs CAP_SYS_NICE or RLIMIT_RTPRIO above 0)";
            }
        });
        probe.Start();
        probe.Join();
        return refusal;
    });

    public RealTimeFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
