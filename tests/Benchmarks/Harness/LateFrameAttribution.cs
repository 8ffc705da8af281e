using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Kallglot.Benchmarks.Harness;

/// <summary>
/// Where a paced run's late frames came from: each frame over a millisecond late is checked against the process's GC pauses
/// (the runtime's own suspend and restart events) and against the thread its send resumed on (the pacer's own, or the pool).
/// Frames are noted into a fixed array, so that the attribution allocates nothing while the frames are sent.
/// </summary>
internal sealed class LateFrameAttribution : EventListener
{
    private const string PacerThreadName = "Kallglot frame pacer";
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(1);
    private readonly (DateTime Due, DateTime Resumed, bool OnPacer)[] _late;
    private readonly List<(DateTime At, bool Suspending)> _gcMarks = [];
    private int _count;
    private long _frames;
    private long _handedToPool;
    private volatile bool _recording;

    private LateFrameAttribution(int capacity)
    {
        _late = new (DateTime, DateTime, bool)[capacity];
    }

    /// <summary>Starts noting, room made for <paramref name="capacity"/> frames (every frame of the run may be late).</summary>
    public static LateFrameAttribution Start(int capacity)
    {
        var attribution = new LateFrameAttribution(capacity);
        attribution._recording = true;
        return attribution;
    }

    /// <summary>For <c>AudioSender.SendAsync</c>'s lateness callback: runs where the frame's send resumed.</summary>
    public void Note(TimeSpan lateness)
    {
        Interlocked.Increment(ref _frames);
        var onPacer = Thread.CurrentThread.Name == PacerThreadName;
        if (!onPacer)
        {
            Interlocked.Increment(ref _handedToPool);
        }
        if (lateness > Threshold)
        {
            var index = Interlocked.Increment(ref _count) - 1;
            if (index < _late.Length)
            {
                var now = DateTime.UtcNow;
                _late[index] = (now - lateness, now, onPacer);
            }
        }
    }

    public string Summary()
    {
        _recording = false;
        (DateTime Start, DateTime End)[] pauses;
        lock (_gcMarks)
        {
            pauses = _gcMarks.Zip(_gcMarks.Skip(1)).Where(pair => pair.First.Suspending && !pair.Second.Suspending)
                .Select(pair => (pair.First.At, pair.Second.At)).ToArray();
        }
        var late = _late.AsSpan(0, Math.Min(_count, _late.Length)).ToArray();
        var unrecorded = _count > _late.Length ? $" (only the first {_late.Length:N0} of them attributed)" : "";
        var duringGc = late.Count(frame => pauses.Any(pause => pause.Start <= frame.Resumed && pause.End >= frame.Due));
        var fromPool = late.Count(frame => !frame.OnPacer);
        return $"frames over 1 ms late: {_count:N0} ({(double)_count / Math.Max(1, _frames):P2}){unrecorded}, {duringGc:N0} of them across a GC pause, " +
            $"{fromPool:N0} sent from a pool thread (of {_handedToPool:N0} handed to the pool, {(double)_handedToPool / Math.Max(1, _frames):P1} of all)";
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // The GC keyword at informational level: a handful of events per collection.
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is not { } name)
        {
            return;
        }
        var suspending = name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal);
        if (suspending || name.StartsWith("GCRestartEEEnd", StringComparison.Ordinal))
        {
            lock (_gcMarks)
            {
                _gcMarks.Add((eventData.TimeStamp.ToUniversalTime(), suspending));
            }
        }
    }
}
