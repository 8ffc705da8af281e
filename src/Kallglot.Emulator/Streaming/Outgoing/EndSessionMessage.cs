namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>session.ended with this reason, then the server's close frame.</summary>
internal sealed record EndSessionMessage(string Reason) : OutgoingMessage;
