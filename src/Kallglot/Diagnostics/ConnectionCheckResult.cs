namespace Kallglot.Diagnostics;

/// <summary>What an end-to-end check of the API found: each step's time, the round-trip transcript, the credits.</summary>
public sealed class ConnectionCheckResult
{
    private readonly List<string> _warnings = [];
    private readonly List<string> _streamErrors = [];

    /// <summary>The endpoint checked.</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>True when every step succeeded.</summary>
    public bool Passed => Failure is null;

    /// <summary>What went wrong, with its error id, when a step failed.</summary>
    public string? Failure { get; internal set; }

    /// <summary>The error id of the failure.</summary>
    public string? FailureId { get; internal set; }

    /// <summary>The session created for the check.</summary>
    public string? SessionId { get; internal set; }

    /// <summary>Time to create the session.</summary>
    public TimeSpan? SessionCreated { get; internal set; }

    /// <summary>Time from connecting to <c>session.ready</c>.</summary>
    public TimeSpan? StreamReady { get; internal set; }

    /// <summary>Time from the first audio frame to the first final transcript.</summary>
    public TimeSpan? RoundTrip { get; internal set; }

    /// <summary>The first final transcript's text.</summary>
    public string? Transcript { get; internal set; }

    /// <summary>Its translation.</summary>
    public string? Translation { get; internal set; }

    /// <summary>Credits left after the check's session.</summary>
    public long? CreditsRemaining { get; internal set; }

    /// <summary>Credits used, as the API reported.</summary>
    public long? CreditsUsed { get; internal set; }

    /// <summary>What the check noticed without failing for it: a session ledger that could not be written, say.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The <c>error</c> events the stream carried during the check, as <c>error [code]: message</c>: the server's, and the send's own (<c>audio_send_failed</c>).</summary>
    public IReadOnlyList<string> StreamErrors => _streamErrors;

    /// <summary>The API refused to create the session (4xx): it cost no credit.</summary>
    internal bool CreationRefused { get; set; }

    internal void AddWarning(string warning) => _warnings.Add(warning);

    internal void AddStreamError(string error) => _streamErrors.Add(error);

    /// <summary>For a failure's message: the first error events the stream carried, if any.</summary>
    internal string StreamErrorsSaid => _streamErrors.Count == 0
        ? string.Empty
        : $" The stream carried {_streamErrors.Count} error event(s): {string.Join("; ", _streamErrors.Take(3))}{(_streamErrors.Count > 3 ? "; ..." : string.Empty)}.";

    /// <inheritdoc />
    public override string ToString() => Passed
        ? $"passed: {(StreamReady is { } ready ? $"ready in {ready.TotalMilliseconds:0} ms" : "no session.ready")}, round trip {RoundTrip?.TotalMilliseconds:0} ms"
        : $"failed: {Failure}";
}
