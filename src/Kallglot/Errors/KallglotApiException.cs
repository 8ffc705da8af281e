using System.Net;
using Kallglot.Http;

namespace Kallglot.Errors;

/// <summary>The API answered with an error status.</summary>
public sealed class KallglotApiException : KallglotException
{
    /// <summary>Creates an API error.</summary>
    public KallglotApiException(string errorId, KallglotErrorKind kind, string message, HttpStatusCode statusCode)
        : base(errorId, kind, message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The API's own error code, when the body had one.</summary>
    public string? ApiCode { get; init; }

    /// <summary>The API's own message, when the body had one (secrets masked).</summary>
    public string? ApiMessage { get; init; }

    /// <summary>The request id the server gave, for support.</summary>
    public string? RequestId { get; init; }

    /// <summary>Credit figures from the response headers, when present.</summary>
    public CreditUsage? Credits { get; init; }

    /// <summary>How long the server asked the client to wait (429), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
