namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>Nothing sent for this long.</summary>
internal sealed record PauseMessage(TimeSpan Duration) : OutgoingMessage;
