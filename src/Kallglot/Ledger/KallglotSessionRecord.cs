namespace Kallglot.Ledger;

/// <summary>A session as the local ledger remembers it: how it was created and, once its stream ended, how it went.</summary>
public sealed class KallglotSessionRecord
{
    /// <summary>The session id.</summary>
    public string Id { get; internal set; } = string.Empty;

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; internal set; }

    /// <summary><c>Created</c> while no outcome is known; then the stream's final state: <c>Ended</c>, <c>Closed</c> or <c>Failed</c>.</summary>
    public string Status { get; internal set; } = "Created";

    /// <summary>The routing fields.</summary>
    public IReadOnlyDictionary<string, object?> Routing { get; internal set; } = new Dictionary<string, object?>();

    /// <summary>The phone number, connection id or SIP URI it was routed to, in one line.</summary>
    public string? Target => Routing.TryGetValue("phone_number", out var phone) ? phone?.ToString()
        : Routing.TryGetValue("connection_id", out var connection) ? connection?.ToString()
        : Routing.TryGetValue("sip_uri", out var sip) ? sip?.ToString() : null;

    /// <summary>The caller's language.</summary>
    public string? SourceLanguage { get; internal set; }

    /// <summary>The translation language.</summary>
    public string? TargetLanguage { get; internal set; }

    /// <summary>The carrier the API resolved.</summary>
    public string? Provider { get; internal set; }

    /// <summary>Credits left after it was created.</summary>
    public long? CreditsRemaining { get; internal set; }

    /// <summary>What it cost: the one credit the API documents per session, so that <c>Measure-Object CreditsUsed -Sum</c> adds up a job's cost.</summary>
    public long CreditsUsed { get; internal set; } = 1;

    /// <summary>The X-API-Credits-Used figure the API sent when it was created.</summary>
    public long? ApiCreditsUsed { get; internal set; }

    /// <summary>The API endpoint.</summary>
    public string? BaseUri { get; internal set; }

    /// <summary>When its stream ended.</summary>
    public DateTimeOffset? EndedAt { get; internal set; }

    /// <summary>The reason in session.ended.</summary>
    public string? EndReason { get; internal set; }

    /// <summary>Events its stream received.</summary>
    public long? EventsReceived { get; internal set; }

    /// <summary>Audio frames sent.</summary>
    public long? FramesSent { get; internal set; }

    /// <summary>Seconds of audio sent.</summary>
    public double? AudioSecondsSent { get; internal set; }

    /// <summary>Reconnections of its stream.</summary>
    public int? Reconnects { get; internal set; }

    /// <summary>The error id its stream failed with.</summary>
    public string? FailureId { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Status})";
}
