namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>The server's close frame, with this close status and no session.ended before it: the session is not over.</summary>
internal sealed record CloseMessage(int Status) : OutgoingMessage;
