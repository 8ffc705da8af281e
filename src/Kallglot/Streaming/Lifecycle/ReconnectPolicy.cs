namespace Kallglot.Streaming.Lifecycle;

/// <summary>
/// Decides, from facts alone, whether a stream opens a new connection after one ended. Only a lost
/// connection is reopened, only while the stream token is valid, and at most
/// <see cref="MaxAttempts"/> times over the stream's life: the token lasts minutes, so a flapping
/// connection cannot turn into a loop. A session that ended, a client close and a server close are final (a server close that
/// asks the client back, 1001, 1012 or 1013, is a lost connection: see <c>GuardedWebSocket</c>).
/// </summary>
public sealed class ReconnectPolicy
{
    private readonly Func<double> _jitter;

    /// <summary>Creates the policy; <paramref name="jitter"/> returns a factor in [0.8, 1.2] (random by default).</summary>
    public ReconnectPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, Func<double>? jitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
        _jitter = jitter ?? (() => 0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    /// <summary>How many reconnection attempts a stream may make in its life.</summary>
    public int MaxAttempts { get; }

    /// <summary>The wait before the first attempt; it doubles for each later one.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The longest wait before an attempt.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>The decision after a connection ended <paramref name="how"/>.</summary>
    /// <param name="how">How the connection (or the last attempt) ended.</param>
    /// <param name="sessionEnded">Whether <c>session.ended</c> was received on the stream.</param>
    /// <param name="tokenValid">Whether the stream token is still within its lifetime.</param>
    /// <param name="attemptsSoFar">Reconnection attempts already made on this stream.</param>
    /// <param name="retryAfter">How long the server asked the client to wait (a refused attempt's Retry-After): the wait is at least
    /// that, up to <see cref="MaxDelay"/>.</param>
    public ReconnectDecision Decide(ConnectionEndKind how, bool sessionEnded, bool tokenValid, int attemptsSoFar, TimeSpan? retryAfter = null)
    {
        if (sessionEnded)
        {
            return Final(ReconnectVerdict.SessionEnded);
        }
        return how switch
        {
            ConnectionEndKind.ClosedByClient => Final(ReconnectVerdict.ClosedByClient),
            ConnectionEndKind.ClosedByServer => Final(ReconnectVerdict.ClosedByServer),
            ConnectionEndKind.Refused => Final(ReconnectVerdict.Refused),
            _ when !tokenValid => Final(ReconnectVerdict.TokenExpired),
            _ when attemptsSoFar >= MaxAttempts => Final(ReconnectVerdict.AttemptsExhausted),
            _ => new ReconnectDecision(ReconnectVerdict.Reconnect, LongerOf(DelayBefore(attemptsSoFar + 1), retryAfter)),
        };
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> (from 1): base x 2^(attempt-1) x jitter, capped.</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var jittered = exponential * Math.Clamp(_jitter(), 0.8, 1.2);
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }

    private static ReconnectDecision Final(ReconnectVerdict verdict) => new(verdict, TimeSpan.Zero);

    // The backoff, or what the server asked for when that is longer, never past the longest delay.
    private TimeSpan LongerOf(TimeSpan backoff, TimeSpan? retryAfter) =>
        retryAfter is { } asked && asked > backoff ? (asked < MaxDelay ? asked : MaxDelay) : backoff;
}
