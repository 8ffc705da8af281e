using Kallglot.Http;
using Kallglot.Security;

namespace Kallglot.Sessions;

/// <summary>
/// A created session: where its stream is, until when its token may open it, and what the
/// creation cost. The stream token never shows: <see cref="StreamUrl"/> masks it and
/// <see cref="StreamToken"/> prints as <c>***</c>.
/// </summary>
public sealed class KallglotSession
{
    internal KallglotSession(string id, Uri streamUri, KallglotSecret? streamToken, Uri apiBaseUri)
    {
        Id = id;
        StreamUriWithToken = streamUri;
        StreamToken = streamToken;
        ApiBaseUri = apiBaseUri;
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The carrier the API resolved (for example <c>twilio</c>), when it said.</summary>
    public string? Provider { get; init; }

    /// <summary>The session's status as the API reported it (for example <c>created</c>).</summary>
    public string? Status { get; init; }

    /// <summary>The routing kind the session was created with.</summary>
    public SessionRoutingKind? RoutingKind { get; init; }

    /// <summary>The routing fields the API echoed, or those that were sent.</summary>
    public IReadOnlyDictionary<string, object?> Routing { get; init; } = new Dictionary<string, object?>();

    /// <summary>The caller's language, when set or detected.</summary>
    public string? SourceLanguage { get; init; }

    /// <summary>The translation language, when set.</summary>
    public string? TargetLanguage { get; init; }

    /// <summary>The stream URL with its token masked; safe to show.</summary>
    public string StreamUrl => Redactor.RedactUrl(StreamUriWithToken, StreamToken);

    /// <summary>The stream token; it displays as <c>***</c>.</summary>
    public KallglotSecret? StreamToken { get; }

    /// <summary>When the stream token stops opening the stream; an open stream is not affected.</summary>
    public DateTimeOffset TokenExpiresAt { get; init; }

    /// <summary>Where the expiry came from: <c>response</c>, <c>expires_in</c>, <c>default</c> (the documented 5 minutes), or <c>unreadable</c> (the API gave a value no clock can hold, so the documented 5 minutes are assumed).</summary>
    public string TokenExpirySource { get; init; } = "response";

    /// <summary>True once the token can no longer open the stream.</summary>
    public bool IsTokenExpired => DateTimeOffset.UtcNow >= TokenExpiresAt;

    /// <summary>When the session was created (the API's time when given, else the client's).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Credits left after this session, from the response headers.</summary>
    public long? CreditsRemaining { get; init; }

    /// <summary>Credits used, from the response headers.</summary>
    public long? CreditsUsed { get; init; }

    /// <summary>The request id the server gave.</summary>
    public string? RequestId { get; init; }

    /// <summary>The whole response body as plain values, secrets masked; fields the module does not name are here.</summary>
    public IReadOnlyDictionary<string, object?> Raw
    {
        get => _raw ??= _rawFactory?.Invoke() ?? new Dictionary<string, object?>();
        init => _raw = value;
    }

    // Built on first use: most sessions of a bulk job are never asked for it, and masking costs a parse.
    private IReadOnlyDictionary<string, object?>? _raw;
    private Func<IReadOnlyDictionary<string, object?>>? _rawFactory;

    /// <summary>Sets how <see cref="Raw"/> is built when first read.</summary>
    internal Func<IReadOnlyDictionary<string, object?>> RawFactory
    {
        init => _rawFactory = value;
    }

    /// <summary>The API endpoint that created the session.</summary>
    public Uri ApiBaseUri { get; }

    internal Uri StreamUriWithToken { get; }

    /// <summary>The last audio sequence number used on the session by any of its streams in this process.</summary>
    internal System.Runtime.CompilerServices.StrongBox<long> SequenceSent { get; } = new();

    /// <summary>The credit figures as one value.</summary>
    public CreditUsage Credits => new(CreditsRemaining, CreditsUsed);

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Status ?? "created"})";
}
