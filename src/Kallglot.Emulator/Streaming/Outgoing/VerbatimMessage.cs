namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>These bytes as one message, exactly.</summary>
internal sealed record VerbatimMessage(byte[] Bytes, bool Binary) : OutgoingMessage;
