namespace Kallglot.Emulator.Streaming;

/// <summary>
/// Ends a session nobody is using, as a real call ends when the caller hangs up: no frame from the
/// client, nobody mid-utterance and no audio to play for the idle time. Time comes from the
/// emulator's <see cref="TimeProvider"/>, so a test moves a fake clock instead of waiting.
/// </summary>
internal sealed class IdleWatch
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly Func<bool> _busy;
    private readonly Action _kept;
    private long _lastActivity;

    /// <param name="busy">True while the session is doing something the client waits for.</param>
    /// <param name="kept">Called after each check that leaves the session running, so a test on a fake clock knows the check for the time it set has run.</param>
    public IdleWatch(TimeProvider time, TimeSpan idle, Func<bool> busy, Action kept)
    {
        _time = time;
        _idle = idle;
        _busy = busy;
        _kept = kept;
        _lastActivity = time.GetTimestamp();
    }

    /// <summary>The client did something: the idle time starts again.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Completes when the session has been idle for the idle time.</summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(_idle.TotalMilliseconds / 4, 20, 1000));
        using var timer = new PeriodicTimer(interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_busy())
            {
                Touch();
            }
            else if (_time.GetElapsedTime(Interlocked.Read(ref _lastActivity)) >= _idle)
            {
                return;
            }
            _kept();
        }
    }
}
