using System.Net;
using Kallglot.Security;
using Kallglot.Streaming.Lifecycle;

namespace Kallglot.Streaming.Connection;

/// <summary>A connection could not be opened: timed out, refused with an HTTP status, or failed on the network.</summary>
internal sealed class WebSocketConnectException : Exception
{
    public WebSocketConnectException(bool timedOut, HttpStatusCode? handshakeStatus, Exception innerException, TimeSpan? retryAfter = null)
        : base(innerException.GetBaseException().Message, innerException)
    {
        TimedOut = timedOut;
        HandshakeStatus = handshakeStatus;
        RetryAfter = retryAfter;
    }

    /// <summary>How long the server asked the client to wait before trying again (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool TimedOut { get; }

    public HttpStatusCode? HandshakeStatus { get; }

    /// <summary>How a failed reconnection attempt counts for the reconnect policy: a refusal is final, anything else a loss.</summary>
    public ConnectionEnd AsConnectionEnd(string attempt, KallglotSecret? token)
    {
        // A 409 to a reconnection may be the server still holding the connection that was lost, which it has not yet seen die:
        // tried again within the attempts, as a loss, rather than taken for a session that ended.
        var refused = StreamFailures.IsRefusal(HandshakeStatus) && HandshakeStatus != HttpStatusCode.Conflict;
        var status = HandshakeStatus is { } code ? $"HTTP {(int)code}" : Redactor.Redact(Message, token);
        return new ConnectionEnd(refused ? ConnectionEndKind.Refused : ConnectionEndKind.Lost, $"{attempt} failed: {status}", HandshakeStatus) { RetryAfter = RetryAfter };
    }
}
