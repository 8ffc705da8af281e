using System.Diagnostics;

namespace Kallglot.Pacing;

/// <summary>
/// Wakes paced work at absolute deadlines, for every stream of the process from one dedicated
/// thread. The thread sleeps to the earliest deadline across all waiters (no spinning, no
/// timer-queue entry per frame, no thread-pool thread held) and releases every waiter then due. A
/// released wait's continuation runs on the pacer's thread until its next pending await: the frame
/// goes to its socket from here, with no thread-pool queue between its deadline and the send
/// (measured: p99 0.85-1.1 ms against 1.3 ms through the pool at 100 streams). Once a wake has spent
/// a quarter of a millisecond handing frames on and another wait is due (or after 2 ms in all), the
/// rest of its batch goes to the thread pool instead, so that hundreds of streams due at once never
/// hold the pacer past the next deadline (<see cref="InlineUntil"/>).
/// Code after a wait must therefore only hand a frame on: a send that has to wait for the socket
/// awaits, and the pacer goes on with the other streams.
/// </summary>
/// <remarks>
/// The runtime's timed waits are whole milliseconds and land about 0.1 ms after they were asked for.
/// Where <see cref="PreciseSleep"/> works (Linux) and the pacer is not crowded, the thread waits to
/// about a millisecond before the deadline, sleeps the rest precisely and releases what is due within
/// 0.1 ms. Crowded (more than <see cref="CrowdedAbove"/> waits), or where there is no precise sleep,
/// it wakes at the nearest whole millisecond and releases what is due within half of one, which keeps
/// every release within about half a millisecond of its deadline, early or late, and batches the
/// frames of hundreds of streams into at most one wake a millisecond. On Windows it holds
/// one-millisecond timer resolution while it has deadlines (<see cref="WindowsTimerResolution"/>).
/// New streams start at phases spread over the frame period (<see cref="SpreadStart"/>). The process's
/// pacer runs at the highest priority the process may give it (<see cref="PacerThreadPriority"/>); a
/// real-time pacer returns to normal priority while its waits resume late (<see cref="FollowLateness"/>).
/// </remarks>
internal sealed class FramePacer : IDisposable
{
    private const double GoldenRatioFraction = 0.6180339887498949;
    private static readonly Func<(PacerPriority Priority, ISchedulingCalls? Scheduling)> KeepPriority = () => (PacerThreadPriority.NotRaised, null);
    private static readonly Lazy<FramePacer> SharedPacer = new(() => new FramePacer(
        "Kallglot frame pacer",
        raisePriority: PacerThreadPriority.IsWanted(Environment.GetEnvironmentVariable(PacerThreadPriority.EnvironmentVariable))));

    private readonly object _gate = new();
    private readonly PriorityQueue<(PacerWaiter Waiter, long Generation), long> _deadlines = new();
    private readonly Stack<PacerWaiter> _idleWaiters = new();
    private readonly List<PacerWaiter> _released = [];
    // Precise sleeps land within about 0.1 ms; millisecond waits within half of one.
    private readonly long _preciseWindow = Stopwatch.Frequency / 10_000;
    private readonly long _millisecondWindow = Stopwatch.Frequency / 2000;
    private readonly long _preciseStretch = Stopwatch.Frequency / 500;
    private readonly WindowsTimerResolution _timerResolution = new();
    private readonly long _inlineBudget = Stopwatch.Frequency / 4000;
    private readonly long _inlineCeiling;
    private readonly long _epoch = Stopwatch.GetTimestamp();
    private readonly Thread _thread;
    private readonly Func<(PacerPriority Priority, ISchedulingCalls? Scheduling)> _raise;
    private readonly LatenessRule _latenessRule;
    private readonly TaskCompletionSource<PacerPriority> _priority = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sleepingUntil = long.MaxValue;
    // Until when the wake in progress hands frames on from the pacer's thread: set under the lock when it releases a batch,
    // brought forward under the lock by a wait registered meanwhile that falls due sooner (never below the wake's budget),
    // read by the pacer's thread as it hands each frame on.
    private long _inlineUntil = long.MinValue;
    private long _inlineFloor = long.MinValue;
    private long _wakes;
    private long _realTimeLeft;
    private long _streamsStarted;
    private bool _disposed;
    // Set when the thread got real time on Linux: it leaves real time while its waits resume late and comes back through these calls.
    private ISchedulingCalls? _realTimeScheduling;
    private int _realTimeLevel;
    private bool _inRealTime;
    private PacerPriority? _fellBackTo;

    /// <summary>Starts a pacer with a thread of its own, raised to the highest priority the process allows when <paramref name="raisePriority"/>. Most callers want <see cref="Shared"/>.</summary>
    public FramePacer(string threadName, bool raisePriority = false)
        : this(threadName, raisePriority ? PacerThreadPriority.RaiseCurrentThread : KeepPriority)
    {
    }

    /// <summary>
    /// Starts a pacer that hands a wake's frames on itself for up to <paramref name="inlineCeiling"/> while no other frame is
    /// due (tests: a loaded machine may stall the thread past the usual 2 ms between its wake and its hand-over).
    /// </summary>
    internal FramePacer(string threadName, TimeSpan inlineCeiling)
        : this(threadName, KeepPriority, inlineCeiling: (long)(inlineCeiling.TotalSeconds * Stopwatch.Frequency))
    {
    }

    /// <summary>Starts a pacer whose thread raises its priority through <paramref name="scheduling"/>, and leaves and retakes real time by <paramref name="latenessRule"/> (tests).</summary>
    internal FramePacer(string threadName, ISchedulingCalls scheduling, LatenessRule? latenessRule = null)
        : this(threadName, () => (PacerThreadPriority.Raise(scheduling), scheduling), latenessRule)
    {
    }

    private FramePacer(string threadName, Func<(PacerPriority Priority, ISchedulingCalls? Scheduling)> raise, LatenessRule? latenessRule = null,
        long? inlineCeiling = null)
    {
        _inlineCeiling = inlineCeiling ?? Stopwatch.Frequency / 500;
        _raise = raise;
        _latenessRule = latenessRule ?? new LatenessRule();
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
        _priority.Task.Wait();
    }

    /// <summary>The process's pacer: every paced send of the process waits on it.</summary>
    public static FramePacer Shared => SharedPacer.Value;

    /// <summary>How early a wait may be released: waits due within this much of each other share a wake.</summary>
    public long ReleaseWindow => PreciseSleep.IsSupported ? _preciseWindow : _millisecondWindow;

    /// <summary>How early a wait may be released while the pacer is crowded (more than <see cref="CrowdedAbove"/> waits pending).</summary>
    public long CrowdedReleaseWindow => _millisecondWindow;

    /// <summary>
    /// Above this many pending waits (a frame a millisecond, at 20 ms frames) the pacer stops sleeping
    /// precisely and batches what is due within half a millisecond: measured at 100 streams, the
    /// second wake per deadline cost a quarter more CPU for a p99 no better than the machine's.
    /// </summary>
    public const int CrowdedAbove = 20;

    /// <summary>The scheduling the pacer's thread got (<see cref="PacerThreadPriority"/>).</summary>
    public PacerPriority Priority => Volatile.Read(ref _fellBackTo) ?? _priority.Task.Result;

    /// <summary>How many times a real-time pacer has gone back to normal priority because its waits resumed late.</summary>
    public long RealTimeLeft => Interlocked.Read(ref _realTimeLeft);

    /// <summary>How many times the pacer's thread has woken to release waiters (each wake may release many).</summary>
    public long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>The deadline the pacer's thread is sleeping towards, or <see cref="long.MaxValue"/> while it is not in such a sleep.</summary>
    internal long SleepingUntil
    {
        get
        {
            lock (_gate)
            {
                return _sleepingUntil;
            }
        }
    }

    /// <summary>Completes at <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp), never earlier than the release window allows (<see cref="ReleaseWindow"/>, or <see cref="CrowdedReleaseWindow"/> when crowded).</summary>
    public ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        if (due - Stopwatch.GetTimestamp() <= ReleaseWindow)
        {
            // A send already behind its schedule does not wait, and is the latest of all: it counts, or saturated cores would hide it.
            RecordResume(due);
            return ValueTask.CompletedTask;
        }
        PacerWaiter waiter;
        long generation;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            waiter = _idleWaiters.Count > 0 ? _idleWaiters.Pop() : new PacerWaiter(this);
            generation = waiter.Arm(due);
            _deadlines.Enqueue((waiter, generation), due);
            if (due < _sleepingUntil)
            {
                Monitor.Pulse(_gate);
            }
            if (due < _inlineUntil)
            {
                // A new stream's first frame, due while the pacer is still handing a batch on: the batch's rest goes to the pool.
                Volatile.Write(ref _inlineUntil, Math.Max(_inlineFloor, due));
            }
        }
        waiter.WatchCancellation(cancellationToken, generation);
        return new ValueTask(waiter, waiter.Version);
    }

    /// <summary>
    /// When a stream starting at <paramref name="now"/> should send its first frame, its frames
    /// <paramref name="period"/> apart: within one period, at a phase of its own. Streams started
    /// together (<c>$streams | Send-KallglotAudio -Background</c>) would otherwise have every frame due
    /// at the same moment, and the last of each batch would leave late by the time it takes to send
    /// the others. Phases follow the golden-ratio sequence, so any number of streams, started in any
    /// order, spreads evenly over the period.
    /// </summary>
    public long SpreadStart(long now, long period)
    {
        if (period <= 0)
        {
            return now;
        }
        var fraction = (Interlocked.Increment(ref _streamsStarted) * GoldenRatioFraction) % 1.0;
        var phase = _epoch + (long)(fraction * period);
        var periodsToGo = now <= phase ? 0 : ((now - phase) + period - 1) / period;
        return phase + (periodsToGo * period);
    }

    /// <summary>Stops the thread; waits not yet due are cancelled.</summary>
    public void Dispose()
    {
        var abandoned = new List<PacerWaiter>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_deadlines.TryDequeue(out var entry, out _))
            {
                if (entry.Waiter.TryClaim(entry.Generation))
                {
                    abandoned.Add(entry.Waiter);
                }
            }
            Monitor.Pulse(_gate);
        }
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
        foreach (var waiter in abandoned)
        {
            waiter.Cancel(new ObjectDisposedException(nameof(FramePacer)));
        }
    }

    /// <summary>The awaiting code of a wait until <paramref name="due"/> resumes now (any thread).</summary>
    internal void RecordResume(long due)
    {
        // Only a real-time pacer reviews its lateness: the others (nice, normal, Windows, the emulator's) do not read the clock for it.
        if (Volatile.Read(ref _realTimeScheduling) is not null)
        {
            _latenessRule.Record(Stopwatch.GetTimestamp() - due);
        }
    }

    internal void Return(PacerWaiter waiter)
    {
        lock (_gate)
        {
            _idleWaiters.Push(waiter);
        }
    }

    internal bool TryCancel(PacerWaiter waiter, long generation)
    {
        lock (_gate)
        {
            return waiter.TryClaim(generation);
        }
    }

    /// <summary>
    /// A real-time pacer keeps real time while its waits resume on time and goes back to normal priority while they run late
    /// on saturated cores (<see cref="LatenessRule"/>). In real time its sends leave on the dot while the cores have room, at
    /// 100 and 300 streams as well as at one (100: p99 1.35-1.85 ms against 2.85-4.40 ms for a pacer that left real time above
    /// 20 waits); on saturated cores its wakes, every millisecond, went ahead of the pool threads sending the rest of each
    /// batch (500 streams in pwsh: p99 140-145 ms in real time throughout against 46-75 ms at normal priority; docs/performance.md).
    /// </summary>
    private void FollowLateness(bool wantRealTime)
    {
        if (_inRealTime && !wantRealTime)
        {
            if (_realTimeScheduling!.SetNormal() == 0)
            {
                _inRealTime = false;
                Interlocked.Increment(ref _realTimeLeft);
            }
            else
            {
                // Refused (no known cause on Linux): stay in real time rather than ask again every window.
                _realTimeScheduling = null;
            }
        }
        else if (!_inRealTime && wantRealTime)
        {
            if (_realTimeScheduling!.SetRealTime(_realTimeLevel) == 0)
            {
                _inRealTime = true;
            }
            else
            {
                // Refused now (the process's limit was lowered): stay at normal priority rather than ask again, and say so.
                _realTimeScheduling = null;
                _fellBackTo = new PacerPriority(PacerPriorityKind.Normal, 0, "real time was refused when the pacer came back to it after its frames ran late; the process's real-time limit may have been lowered");
            }
        }
    }

    /// <summary>
    /// Until when a wake at <paramref name="wokeAt"/> hands its frames on from the pacer's own thread: for <paramref name="budget"/>,
    /// and beyond it for as long as no other wait is due (<paramref name="nextDue"/>), up to <paramref name="ceiling"/>. A frame
    /// handed to the thread pool waits for a pool thread, which on busy cores is the latest of all (100 streams: two thirds of
    /// the frames handed on that way left over a millisecond late); while nothing else is due, the pacer is the quickest way out.
    /// A wait registered during the wake that falls due sooner brings the end forward to its deadline, the budget still kept.
    /// </summary>
    internal static long InlineUntil(long wokeAt, long nextDue, long budget, long ceiling) =>
        Math.Max(wokeAt + budget, Math.Min(wokeAt + ceiling, nextDue));

    private void Run()
    {
        var (priority, scheduling) = _raise();
        if (priority.Kind == PacerPriorityKind.RealTime && scheduling is not null)
        {
            _realTimeScheduling = scheduling;
            _realTimeLevel = priority.Level;
            _inRealTime = true;
        }
        _priority.SetResult(priority);
        while (true)
        {
            long sleepPreciselyUntil = 0;
            lock (_gate)
            {
                while (_released.Count == 0 && sleepPreciselyUntil == 0)
                {
                    if (_disposed)
                    {
                        _timerResolution.Restore();
                        return;
                    }
                    if (!_deadlines.TryPeek(out _, out var earliest))
                    {
                        _timerResolution.Restore();
                        Monitor.Wait(_gate);
                        continue;
                    }
                    _timerResolution.Raise();
                    var precise = PreciseSleep.IsSupported && _deadlines.Count <= CrowdedAbove;
                    var releaseWindow = precise ? _preciseWindow : _millisecondWindow;
                    var now = Stopwatch.GetTimestamp();
                    var remaining = earliest - now;
                    if (remaining > releaseWindow)
                    {
                        if (precise && remaining <= _preciseStretch)
                        {
                            sleepPreciselyUntil = earliest;
                            break;
                        }
                        // With a precise sleep to finish, wake a millisecond early; without, at the nearest whole millisecond.
                        var milliseconds = Math.Min(60_000, remaining * 1000.0 / Stopwatch.Frequency);
                        var wait = precise ? (int)(milliseconds - 1) : (int)Math.Round(milliseconds, MidpointRounding.AwayFromZero);
                        _sleepingUntil = earliest;
                        Monitor.Wait(_gate, wait);
                        _sleepingUntil = long.MaxValue;
                        continue;
                    }
                    var horizon = now + releaseWindow;
                    while (_deadlines.TryPeek(out var entry, out var due) && due <= horizon)
                    {
                        _deadlines.Dequeue();
                        if (entry.Waiter.TryClaim(entry.Generation))
                        {
                            _released.Add(entry.Waiter);
                        }
                    }
                    var nextDue = _deadlines.TryPeek(out _, out var following) ? following : long.MaxValue;
                    _inlineFloor = now + _inlineBudget;
                    Volatile.Write(ref _inlineUntil, InlineUntil(now, nextDue, _inlineBudget, _inlineCeiling));
                }
            }
            if (_realTimeScheduling is not null)
            {
                if (_latenessRule.Review(Stopwatch.GetTimestamp(), _inRealTime) is { } wantRealTime)
                {
                    FollowLateness(wantRealTime);
                }
            }
            if (sleepPreciselyUntil != 0)
            {
                // Outside the lock, and not cut short: a deadline registered meanwhile is a stream's next frame, 20 ms away, or a new
                // stream's first (spread over the period), which may then leave up to this stretch late, once.
                PreciseSleep.Until(sleepPreciselyUntil);
                continue;
            }
            Interlocked.Increment(ref _wakes);
            // Outside the lock: each continuation runs here and registers its stream's next wait, until the budget is spent.
            foreach (var waiter in _released)
            {
                waiter.Release(inline: Stopwatch.GetTimestamp() < Volatile.Read(ref _inlineUntil));
            }
            _released.Clear();
        }
    }
}
