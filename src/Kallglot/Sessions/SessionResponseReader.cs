using System.Globalization;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;

namespace Kallglot.Sessions;

/// <summary>
/// Reads a create-session response whatever its exact shape, as the project's design lists: the id, the
/// stream URL, the token and its expiry may each sit under several names, nested or not. Unknown
/// fields are kept in <see cref="KallglotSession.Raw"/>; only a missing id or token is an error.
/// </summary>
internal static class SessionResponseReader
{
    /// <summary>The token lifetime the API documents, used when a response gives none.</summary>
    public static readonly TimeSpan DocumentedTokenLifetime = TimeSpan.FromMinutes(5);

    private static readonly string[] Wrappers = ["session", "data", "result"];
    private static readonly double MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly double MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static KallglotSession Read(string body, Uri apiBaseUri, CreateSessionRequest? request, CreditUsage? credits,
        string? requestId, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException exception)
        {
            throw ProtocolError("the response body is not JSON", requestId, credits, exception);
        }
        using (document)
        {
            try
            {
                return Read(document.RootElement, apiBaseUri, request, credits, requestId, receivedAt);
            }
            catch (InvalidOperationException exception)
            {
                throw ProtocolError($"its text cannot be read ({exception.Message})", requestId, credits, exception);
            }
        }
    }

    private static KallglotSession Read(JsonElement document, Uri apiBaseUri, CreateSessionRequest? request, CreditUsage? credits,
        string? requestId, DateTimeOffset receivedAt)
    {
        var root = Unwrap(document);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ProtocolError("the response body is not a JSON object", requestId, credits);
        }

        var id = FirstString(root, "id", "session_id", "sessionId")
            ?? throw ProtocolError("the response has no session id (looked for 'id' and 'session_id')", requestId, credits);

        var streamUrl = FirstString(root, "websocket_url", "stream_url", "ws_url", "websocketUrl", "streamUrl", "stream.url", "stream.websocket_url");
        var tokenText = FirstString(root, "stream_token", "token", "streamToken", "stream.token")
            ?? (streamUrl is null ? null : TokenFromQuery(streamUrl));
        if (tokenText is null)
        {
            throw ProtocolError($"session {id} has no stream token (looked for 'stream_token', 'token', 'stream.token' and a token in the stream URL)", requestId, credits);
        }
        var token = new KallglotSecret(tokenText);
        var streamUri = ResolveStreamUri(streamUrl, apiBaseUri, id, tokenText);
        var (expiresAt, expirySource) = ReadExpiry(root, receivedAt);

        return new KallglotSession(id, streamUri, token, apiBaseUri)
        {
            Provider = ReadProvider(root),
            Status = FirstString(root, "status", "state") ?? "created",
            RoutingKind = request?.RoutingKind,
            // A SIP password in the routing, echoed or sent, is the user's secret: the session shows its name, not its value.
            Routing = RoutingRedactor.Redact(root.TryGetProperty("routing", out var routing) && routing.ValueKind == JsonValueKind.Object
                ? (IReadOnlyDictionary<string, object?>)JsonValueConverter.ToPlain(routing)!
                : request?.Routing ?? new Dictionary<string, object?>()),
            SourceLanguage = FirstString(root, "source_language", "sourceLanguage") ?? request?.SourceLanguage,
            TargetLanguage = FirstString(root, "target_language", "targetLanguage") ?? request?.TargetLanguage,
            TokenExpiresAt = expiresAt,
            TokenExpirySource = expirySource,
            CreatedAt = ReadTime(root, "created_at") ?? receivedAt,
            CreditsRemaining = credits?.Remaining,
            CreditsUsed = credits?.Used,
            RequestId = requestId,
            RawFactory = RawOf(root.GetRawText(), token),
        };
    }

    private static JsonElement Unwrap(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || HasAny(root, "id", "session_id", "sessionId"))
        {
            return root;
        }
        foreach (var wrapper in Wrappers)
        {
            if (root.TryGetProperty(wrapper, out var inner) && inner.ValueKind == JsonValueKind.Object && HasAny(inner, "id", "session_id", "sessionId"))
            {
                return inner;
            }
        }
        return root;
    }

    private static bool HasAny(JsonElement element, params string[] names) => names.Any(name => element.TryGetProperty(name, out _));

    private static string? ReadProvider(JsonElement root)
    {
        if (!root.TryGetProperty("provider", out var provider))
        {
            return null;
        }
        return provider.ValueKind switch
        {
            JsonValueKind.String => provider.GetString(),
            JsonValueKind.Object => FirstString(provider, "type", "name"),
            _ => null,
        };
    }

    /// <summary>
    /// The token's expiry; a value present but out of any range a clock can hold (a microsecond
    /// timestamp, a huge expires_in) gives the documented lifetime and the source "unreadable", so
    /// the session, already paid for, is still returned.
    /// </summary>
    private static (DateTimeOffset ExpiresAt, string Source) ReadExpiry(JsonElement root, DateTimeOffset receivedAt)
    {
        var unreadable = false;
        foreach (var path in new[] { "expires_at", "stream_token_expires_at", "token_expires_at", "stream.expires_at", "stream.token_expires_at" })
        {
            if (Find(root, path) is { } element)
            {
                if (ReadTime(element) is { } time)
                {
                    return (time, "response");
                }
                unreadable |= element.ValueKind is JsonValueKind.Number or JsonValueKind.String;
            }
        }
        foreach (var path in new[] { "expires_in", "stream.expires_in", "stream_token_expires_in" })
        {
            if (Find(root, path) is { } element && ReadNumber(element) is { } seconds && seconds > 0)
            {
                if (seconds < (DateTimeOffset.MaxValue - receivedAt).TotalSeconds)
                {
                    return (receivedAt.AddSeconds(seconds), "expires_in");
                }
                unreadable = true;
            }
        }
        return (receivedAt + DocumentedTokenLifetime, unreadable ? "unreadable" : "default");
    }

    private static Uri ResolveStreamUri(string? streamUrl, Uri apiBaseUri, string id, string token)
    {
        Uri? uri = null;
        if (streamUrl is not null)
        {
            // On Unix "/v1/..." parses as an absolute file:// URI, so only web schemes count as absolute.
            if (!Uri.TryCreate(streamUrl, UriKind.Absolute, out uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https"))
            {
                Uri.TryCreate(apiBaseUri, streamUrl, out uri);
            }
        }
        uri ??= new Uri(apiBaseUri, $"v1/sessions/{Uri.EscapeDataString(id)}/connect");

        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme switch
            {
                "https" or "wss" => "wss",
                _ => "ws",
            },
        };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        if (TokenFromQuery(builder.Uri.OriginalString) is null)
        {
            var query = builder.Query.TrimStart('?');
            builder.Query = (query.Length == 0 ? string.Empty : query + "&") + "token=" + Uri.EscapeDataString(token);
        }
        return builder.Uri;
    }

    internal static string? TokenFromQuery(string url)
    {
        var queryStart = url.IndexOf('?', StringComparison.Ordinal);
        if (queryStart < 0)
        {
            return null;
        }
        var query = url[(queryStart + 1)..];
        var fragment = query.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            query = query[..fragment];
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals] == "token" && equals < pair.Length - 1)
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }
        return null;
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }
        return current.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : current;
    }

    private static string? FirstString(JsonElement root, params string[] paths)
    {
        foreach (var path in paths)
        {
            if (Find(root, path) is { } element)
            {
                var text = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString(),
                    JsonValueKind.Number => element.GetRawText(),
                    _ => null,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    return text;
                }
            }
        }
        return null;
    }

    private static DateTimeOffset? ReadTime(JsonElement root, string path) => Find(root, path) is { } element ? ReadTime(element) : null;

    private static DateTimeOffset? ReadTime(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }
        if (ReadNumber(element) is { } epoch)
        {
            // Seconds or milliseconds since the epoch: no real expiry is before 2001 in ms or after 33658 in s.
            var milliseconds = epoch > 1e12 ? epoch : epoch * 1000;
            return double.IsFinite(milliseconds) && milliseconds >= MinUnixMilliseconds && milliseconds <= MaxUnixMilliseconds
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds)
                : null;
        }
        return null;
    }

    private static double? ReadNumber(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    private static Func<IReadOnlyDictionary<string, object?>> RawOf(string json, KallglotSecret token) => () => RedactedRaw(json, token);

    private static IReadOnlyDictionary<string, object?> RedactedRaw(string json, KallglotSecret token)
    {
        // By value, once unescaped: a token written as \u002B or with \/ is masked as surely as a plain one; and every field named
        // as a credential (a SIP password in the echoed routing) by name.
        using var document = JsonDocument.Parse(CredentialFieldRedactor.Redact(json, token));
        return (IReadOnlyDictionary<string, object?>)JsonValueConverter.ToPlain(document.RootElement)!;
    }

    private static KallglotException ProtocolError(string what, string? requestId, CreditUsage? credits, Exception? inner = null)
    {
        var message = $"The Kallglot API answered the session request, but {what}. The session may have been created and charged" +
            (requestId is null ? string.Empty : $" (request id {requestId})") +
            (credits is null ? string.Empty : $"; {credits}") +
            ". Check the API base URL points at the Kallglot API, and report the request id to support.";
        return new KallglotException("unreadable_session_response", KallglotErrorKind.Protocol, message, inner);
    }
}
