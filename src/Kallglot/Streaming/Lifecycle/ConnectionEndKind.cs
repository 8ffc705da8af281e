namespace Kallglot.Streaming.Lifecycle;

/// <summary>How one WebSocket connection of a stream came to an end.</summary>
public enum ConnectionEndKind
{
    /// <summary>The client closed it: the user, or the client itself after <c>session.ended</c>.</summary>
    ClosedByClient,
    /// <summary>The server sent its close frame first.</summary>
    ClosedByServer,
    /// <summary>The connection broke: a socket error, a peer that stopped answering pings, an attempt that got no answer.</summary>
    Lost,
    /// <summary>A reconnection attempt was answered with a refusal (401, 403, 404, 410): trying again cannot help. (A 409 counts as a loss: see <c>WebSocketConnectException</c>.)</summary>
    Refused,
}
