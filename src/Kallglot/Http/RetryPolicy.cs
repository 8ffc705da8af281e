namespace Kallglot.Http;

/// <summary>
/// The one retry rule of the client. A request that got an HTTP answer may have cost a credit, so
/// the only answer retried is 429 with a Retry-After the server chose; a request that never reached
/// the server (refused, name not found) is retried too. The wait is the larger of Retry-After and
/// an exponential backoff (base x 2^n, jitter 0.8-1.2x, as Azure.Core does), capped.
/// </summary>
internal sealed class RetryPolicy
{
    private readonly KallglotClientOptions _options;
    private readonly Func<double> _jitter;

    public RetryPolicy(KallglotClientOptions options, Func<double>? random = null)
    {
        _options = options;
        var source = random ?? Random.Shared.NextDouble;
        _jitter = () => 0.8 + (source() * 0.4);
    }

    public int MaxRetries => Math.Max(0, _options.MaxRetries);

    /// <summary>The wait a Retry-After asks for: its seconds, or the time until its date (none when the date has passed).</summary>
    public static TimeSpan WaitOf(System.Net.Http.Headers.RetryConditionHeaderValue retryAfter) =>
        retryAfter.Delta ?? (retryAfter.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero);

    /// <summary>The backoff before retry number <paramref name="retry"/> (1-based).</summary>
    public TimeSpan Backoff(int retry)
    {
        var exponent = Math.Min(retry - 1, 16);
        var milliseconds = _options.RetryDelay.TotalMilliseconds * Math.Pow(2, exponent) * _jitter();
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, _options.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>The wait before retry <paramref name="retry"/> after a 429, or null when the server asks for longer than the cap.</summary>
    public TimeSpan? DelayAfterThrottle(int retry, TimeSpan retryAfter)
    {
        if (retryAfter > _options.MaxRetryDelay)
        {
            return null;
        }
        var backoff = Backoff(retry);
        return retryAfter > backoff ? retryAfter : backoff;
    }
}
