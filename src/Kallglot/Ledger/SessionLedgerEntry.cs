using System.Text.Json.Serialization;

namespace Kallglot.Ledger;

/// <summary>
/// One line of the session ledger: a session as it was created, or later the outcome of its stream
/// (<see cref="Kind"/> <c>created</c> or <c>outcome</c>). Never a key or a token.
/// </summary>
public sealed class SessionLedgerEntry
{
    /// <summary><c>created</c> or <c>outcome</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "created";

    /// <summary>The session id.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = string.Empty;

    /// <summary>When the line was written.</summary>
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; set; }

    /// <summary>The routing kind and its fields.</summary>
    [JsonPropertyName("routing")]
    public IReadOnlyDictionary<string, object?>? Routing { get; set; }

    /// <summary>The caller's language.</summary>
    [JsonPropertyName("source_language")]
    public string? SourceLanguage { get; set; }

    /// <summary>The translation language.</summary>
    [JsonPropertyName("target_language")]
    public string? TargetLanguage { get; set; }

    /// <summary>The carrier the API resolved.</summary>
    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    /// <summary>Credits left after the session, as the API said.</summary>
    [JsonPropertyName("credits_remaining")]
    public long? CreditsRemaining { get; set; }

    /// <summary>What creating the session cost: the one credit the API documents per session.</summary>
    [JsonPropertyName("credits")]
    public long? Credits { get; set; }

    /// <summary>The X-API-Credits-Used figure the API sent with it, as it sent it.</summary>
    [JsonPropertyName("api_credits_used")]
    public long? ApiCreditsUsed { get; set; }

    /// <summary>The API endpoint.</summary>
    [JsonPropertyName("base_uri")]
    public string? BaseUri { get; set; }

    /// <summary>Outcome: the stream's final state.</summary>
    [JsonPropertyName("state")]
    public string? State { get; set; }

    /// <summary>Outcome: the reason in session.ended.</summary>
    [JsonPropertyName("end_reason")]
    public string? EndReason { get; set; }

    /// <summary>Outcome: events received.</summary>
    [JsonPropertyName("events_received")]
    public long? EventsReceived { get; set; }

    /// <summary>Outcome: audio frames sent.</summary>
    [JsonPropertyName("frames_sent")]
    public long? FramesSent { get; set; }

    /// <summary>Outcome: seconds of audio sent.</summary>
    [JsonPropertyName("audio_seconds_sent")]
    public double? AudioSecondsSent { get; set; }

    /// <summary>Outcome: reconnections.</summary>
    [JsonPropertyName("reconnects")]
    public int? Reconnects { get; set; }

    /// <summary>Outcome: the failure's error id, when the stream failed.</summary>
    [JsonPropertyName("failure_id")]
    public string? FailureId { get; set; }
}
