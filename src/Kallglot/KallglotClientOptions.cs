using Kallglot.Security;

namespace Kallglot;

/// <summary>
/// Settings of a <see cref="KallglotClient"/>, in the manner of Azure SDK client options: every
/// figure has a documented default and can be changed before the client is made.
/// </summary>
public sealed class KallglotClientOptions
{
    /// <summary>The public API endpoint, used when nothing else is configured.</summary>
    public static readonly Uri DefaultBaseUri = new("https://api.kallglot.com");

    /// <summary>The API endpoint.</summary>
    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>The API key, sent as <c>Authorization: Bearer</c>.</summary>
    public KallglotSecret? ApiKey { get; set; }

    /// <summary>Allows plain http:// and ws:// to a host that is not loopback. Off: a key would cross the network in clear.</summary>
    public bool AllowInsecureConnection { get; set; }

    /// <summary>How many times a retriable failure is retried (429 with Retry-After, or a request that never reached the server). 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay; each retry doubles it, with 0.8-1.2x jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The longest the client waits before a retry; a server asking for more is not retried.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one HTTP request may take before it is abandoned.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Receives one line per request and retry, secrets already masked. Called from any thread.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>The clock a session's token expiry is counted from; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The largest response body read; a larger one is refused (<c>response_too_large</c>) rather than read into memory.</summary>
    public int MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Replaces the HTTP stack (tests, proxies). The client does not dispose it.</summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>Added to the User-Agent header after the client's own product token.</summary>
    public string? ApplicationId { get; set; }

    internal KallglotClientOptions Clone() => (KallglotClientOptions)MemberwiseClone();
}
