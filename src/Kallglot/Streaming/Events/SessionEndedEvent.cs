namespace Kallglot.Streaming.Events;

/// <summary><c>session.ended</c>: the session is over; no more events follow.</summary>
public sealed class SessionEndedEvent : KallglotEvent
{
    /// <summary>Why it ended, as the server says (for example <c>client_closed</c>).</summary>
    public string? Reason { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"session.ended ({Reason})";
}
