namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>Count numbered events, spaced by Interval on an absolute schedule, then emulator.flood_done.</summary>
internal sealed record FloodMessage(int Count, TimeSpan Interval, bool EndAfter, FloodKind Kind) : OutgoingMessage;
