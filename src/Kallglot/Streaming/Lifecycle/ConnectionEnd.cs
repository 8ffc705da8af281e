using System.Net;

namespace Kallglot.Streaming.Lifecycle;

/// <summary>
/// How a connection ended, in words fit for a message (no secrets), with the handshake status when an attempt was refused, and
/// whether the server closed it asking the client to come back (close status 1001, 1012 or 1013).
/// </summary>
public sealed record ConnectionEnd(ConnectionEndKind Kind, string Description, HttpStatusCode? HandshakeStatus = null, bool ServerAskedBack = false)
{
    /// <summary>How long a refused reconnection's server asked the client to wait (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
