using System.Net;

namespace Kallglot.Streaming.Connection;

/// <summary>A connection could not be opened: timed out, refused with an HTTP status, or failed on the network.</summary>
internal sealed class WebSocketConnectException : Exception
{
    public WebSocketConnectException(bool timedOut, HttpStatusCode? handshakeStatus, Exception innerException)
        : base(innerException.GetBaseException().Message, innerException)
    {
        TimedOut = timedOut;
        HandshakeStatus = handshakeStatus;
    }

    public bool TimedOut { get; }

    public HttpStatusCode? HandshakeStatus { get; }
}
