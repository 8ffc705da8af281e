using System.Net;

namespace Kallglot.Streaming.Lifecycle;

/// <summary>How a connection ended, in words fit for a message (no secrets), with the handshake status when an attempt was refused.</summary>
public sealed record ConnectionEnd(ConnectionEndKind Kind, string Description, HttpStatusCode? HandshakeStatus = null);
