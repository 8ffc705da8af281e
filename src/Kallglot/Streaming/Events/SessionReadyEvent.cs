namespace Kallglot.Streaming.Events;

/// <summary><c>session.ready</c>: the server is ready for audio.</summary>
public sealed class SessionReadyEvent : KallglotEvent
{
}
