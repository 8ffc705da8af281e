using System.Net;
using Kallglot.Security;

namespace Kallglot.Http;

/// <summary>A successful API response, for endpoints the module does not wrap.</summary>
public sealed class KallglotResponse
{
    internal KallglotResponse(HttpStatusCode statusCode, string body, string? requestId, CreditUsage? credits, TimeSpan duration,
        IReadOnlyDictionary<string, string> headers)
    {
        StatusCode = statusCode;
        Body = body;
        RequestId = requestId;
        Credits = credits;
        Duration = duration;
        Headers = headers;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The body as text (empty when there was none).</summary>
    public string Body { get; }

    /// <summary>The request id the server gave.</summary>
    public string? RequestId { get; }

    /// <summary>Credit figures from the headers, when present.</summary>
    public CreditUsage? Credits { get; }

    /// <summary>Time from sending the request to reading the whole body (last attempt).</summary>
    public TimeSpan Duration { get; }

    /// <summary>Response and content headers, comma-joined per name.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>
    /// The same response with every credential in its body masked: the key, and each value of a field named as a credential
    /// (a session's <c>stream_token</c>, say) wherever it appears. What leaves the module for endpoints it does not wrap.
    /// </summary>
    internal KallglotResponse WithCredentialsMasked(KallglotSecret? apiKey)
    {
        var body = CredentialFieldRedactor.Redact(Body, out var secrets, apiKey);
        // A Location or Link header may carry a token the body named, or a token query value.
        var masked = secrets.ToArray<KallglotSecret?>();
        return new(StatusCode, body, RequestId, Credits, Duration,
            Headers.ToDictionary(header => header.Key, header => Redactor.Redact(header.Value, masked), StringComparer.OrdinalIgnoreCase));
    }
}
