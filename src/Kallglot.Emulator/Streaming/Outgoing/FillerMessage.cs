namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>One message of this many filler bytes, written in pieces.</summary>
internal sealed record FillerMessage(long Bytes, bool Binary) : OutgoingMessage;
