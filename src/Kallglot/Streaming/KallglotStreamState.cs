namespace Kallglot.Streaming;

/// <summary>Where a stream is in its life.</summary>
public enum KallglotStreamState
{
    /// <summary>Opening the WebSocket.</summary>
    Connecting,
    /// <summary>Open: events arrive and audio can be sent.</summary>
    Open,
    /// <summary>The connection dropped; reopening it while the token is valid.</summary>
    Reconnecting,
    /// <summary>The session ended (<c>session.ended</c>); buffered events can still be read.</summary>
    Ended,
    /// <summary>Closed by the client.</summary>
    Closed,
    /// <summary>The connection was lost and could not be reopened, or the server closed it without ending the session.</summary>
    Failed,
}
