namespace Kallglot.Streaming.Lifecycle;

/// <summary>What the reconnect policy decided after a connection ended.</summary>
public enum ReconnectVerdict
{
    /// <summary>Open a new connection after the decision's delay.</summary>
    Reconnect,
    /// <summary>The session ended (<c>session.ended</c> was seen): there is nothing to reconnect to.</summary>
    SessionEnded,
    /// <summary>The client closed the stream.</summary>
    ClosedByClient,
    /// <summary>The server closed without ending the session: it chose to, so reconnecting would only repeat it.</summary>
    ClosedByServer,
    /// <summary>The connection was lost after the stream token expired, so no new connection can be opened.</summary>
    TokenExpired,
    /// <summary>The connection was lost and every allowed attempt is used.</summary>
    AttemptsExhausted,
    /// <summary>A reconnection attempt was refused by the server.</summary>
    Refused,
}
