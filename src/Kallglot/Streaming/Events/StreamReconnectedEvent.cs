namespace Kallglot.Streaming.Events;

/// <summary>
/// <c>stream.reconnected</c>, raised by the client: the connection was lost and reopened. It stands
/// among the events where the gap was, and says what the gap cost.
/// </summary>
public sealed class StreamReconnectedEvent : KallglotEvent
{
    /// <summary>How long the stream had no connection.</summary>
    public TimeSpan Gap { get; internal set; }

    /// <summary>The attempts this reconnection took.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Reconnections of the stream so far, this one included.</summary>
    public int Reconnects { get; internal set; }

    /// <summary>Audio frames that could not be sent during the gap.</summary>
    public long FramesNotSent { get; internal set; }

    /// <summary>How the connection had been lost.</summary>
    public string LostBecause { get; internal set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"stream.reconnected after {Gap.TotalMilliseconds:0} ms ({Attempts} attempt(s), {FramesNotSent} frame(s) not sent)";
}
