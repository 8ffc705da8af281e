using Kallglot.Pacing;

namespace Kallglot.Tests.Infrastructure;

/// <summary>Scheduling calls that succeed or refuse as a test sets them, and remember what was asked.</summary>
public sealed class FakeSchedulingCalls : ISchedulingCalls
{
    private const int NotPermitted = 1;

    public int HighestRealTimeAllowed { get; init; }

    public int RefuseRealTimeWith { get; init; } = NotPermitted;

    public int LowestNiceAllowed { get; init; }

    public int RealTimeLimit { get; init; }

    public int NiceFloor { get; init; } = 20;

    public List<string> Asked { get; } = [];

    int ISchedulingCalls.SetRealTime(int priority)
    {
        Asked.Add($"fifo {priority}");
        return priority <= HighestRealTimeAllowed ? 0 : RefuseRealTimeWith;
    }

    int ISchedulingCalls.SetNormal()
    {
        Asked.Add("normal");
        return 0;
    }

    int ISchedulingCalls.SetNice(int nice)
    {
        Asked.Add($"nice {nice}");
        return nice >= LowestNiceAllowed ? 0 : NotPermitted;
    }

    int ISchedulingCalls.RealTimeLimit() => RealTimeLimit;

    int ISchedulingCalls.NiceFloor() => NiceFloor;
}
