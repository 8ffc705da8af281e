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
    private int _armedVersion = -1;

    public PacerWaiter(FramePacer pacer)
    {
        _pacer = pacer;
    }

    public short Version => _completion.Version;

    /// <summary>Readies the waiter for a new wait (under the pacer's lock); returns the token of that wait.</summary>
    public int Arm()
    {
        _armedVersion = _completion.Version;
        return _armedVersion;
    }

    /// <summary>True for the one caller (under the pacer's lock) that gets to complete this wait.</summary>
    public bool TryClaim(int version)
    {
        if (_armedVersion != version)
        {
            return false;
        }
        _armedVersion = -1;
        return true;
    }

    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return;
        }
        int version = _completion.Version;
        _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (waiter, version) = ((PacerWaiter, int))state!;
            if (waiter._pacer.TryCancel(waiter, version))
            {
                waiter.Cancel(new OperationCanceledException(token));
            }
        }, (this, version));
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
