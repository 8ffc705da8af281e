using System.Threading.Tasks.Sources;

namespace Kallglot.Pacing;

/// <summary>
/// One pending wait of a <see cref="FramePacer"/>, reused after its result is read so that a paced
/// frame costs no allocation. Claimed once, under the pacer's lock, by whichever comes first: its
/// deadline or its cancellation.
/// </summary>
internal sealed class PacerWaiter : IValueTaskSource
{
    private readonly FramePacer _pacer;
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenRegistration _cancellation;
    // Each wait has its own generation; 0 means no wait is armed. A long never wraps, so a stale queue entry or a late
    // cancellation of an earlier wait can never match a later one (the value task's own short version does wrap).
    private long _generation;
    private long _armed;
    private long _due;
    // The generation the cancellation registration watches: set before it is registered, and not changed until the registration
    // is disposed (which waits for a callback already running), so the callback reads its own wait's generation here.
    private long _watchedGeneration;

    public PacerWaiter(FramePacer pacer)
    {
        _pacer = pacer;
    }

    public short Version => _completion.Version;

    /// <summary>Readies the waiter for a new wait until <paramref name="due"/> (under the pacer's lock); returns that wait's generation.</summary>
    public long Arm(long due)
    {
        _due = due;
        _armed = ++_generation;
        return _armed;
    }

    /// <summary>True for the one caller (under the pacer's lock) that gets to complete the wait of <paramref name="generation"/>.</summary>
    public bool TryClaim(long generation)
    {
        if (_armed == 0 || _armed != generation)
        {
            return false;
        }
        _armed = 0;
        return true;
    }

    public void WatchCancellation(CancellationToken cancellationToken, long generation)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return;
        }
        _watchedGeneration = generation;
        // The waiter itself as the state, not a (waiter, generation) pair: a boxed pair was an allocation per paced frame.
        _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var waiter = (PacerWaiter)state!;
            if (waiter._pacer.TryCancel(waiter, waiter._watchedGeneration))
            {
                waiter.Cancel(new OperationCanceledException(token));
            }
        }, this);
    }

    /// <summary>Completes the wait: its continuation runs on this thread when <paramref name="inline"/>, else on the thread pool.</summary>
    public void Release(bool inline)
    {
        _completion.RunContinuationsAsynchronously = !inline;
        _completion.SetResult(true);
    }

    public void Cancel(Exception exception)
    {
        _completion.RunContinuationsAsynchronously = true;
        _completion.SetException(exception);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token)
    {
        try
        {
            _completion.GetResult(token);
            // The moment the awaiting code resumes is when its frame can leave: what the pacer's real-time rule watches.
            _pacer.RecordResume(_due);
        }
        finally
        {
            // Dispose waits for a cancellation callback already running, so the waiter is idle before it is reused.
            _cancellation.Dispose();
            _cancellation = default;
            _completion.Reset();
            _pacer.Return(this);
        }
    }
}
