using System.Collections.Concurrent;
using Kallglot.Pacing;

namespace Kallglot.Tests.Infrastructure;

/// <summary>Scheduling calls that succeed or refuse as a test sets them, and remember what was asked.</summary>
public sealed class FakeSchedulingCalls : ISchedulingCalls
{
    private const int NotPermitted = 1;

    public int HighestRealTimeAllowed { get; init; }

    public int RefuseRealTimeWith { get; init; } = NotPermitted;

    /// <summary>After this many grants of real time, refuse it (a limit lowered while the process runs).</summary>
    public int RefuseRealTimeAfter { get; init; } = int.MaxValue;

    private int _realTimeGranted;

    public int LowestNiceAllowed { get; init; }

    public int RealTimeLimit { get; init; }

    public int NiceFloor { get; init; } = 20;

    // Asked from a pacer's thread while a test reads it.
    public ConcurrentQueue<string> Asked { get; } = new();

    int ISchedulingCalls.SetRealTime(int priority)
    {
        Asked.Enqueue($"fifo {priority}");
        if (priority > HighestRealTimeAllowed || _realTimeGranted >= RefuseRealTimeAfter)
        {
            return RefuseRealTimeWith;
        }
        _realTimeGranted++;
        return 0;
    }

    int ISchedulingCalls.SetNormal()
    {
        Asked.Enqueue("normal");
        return 0;
    }

    int ISchedulingCalls.SetNice(int nice)
    {
        Asked.Enqueue($"nice {nice}");
        return nice >= LowestNiceAllowed ? 0 : NotPermitted;
    }

    int ISchedulingCalls.RealTimeLimit() => RealTimeLimit;

    int ISchedulingCalls.NiceFloor() => NiceFloor;
}
