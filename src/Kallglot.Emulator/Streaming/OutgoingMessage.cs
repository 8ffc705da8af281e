using System.Text.Json;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// One thing for a connection's single writer to send. Events are serialized by the writer at the
/// moment of sending, so <c>emulator_sent_at_ticks</c> is the true send time.
/// </summary>
internal sealed class OutgoingMessage
{
    private OutgoingMessage()
    {
    }

    public string? EventType { get; private init; }
    public Action<Utf8JsonWriter>? Fields { get; private init; }
    public byte[]? Raw { get; private init; }
    public bool Binary { get; private init; }
    public int FloodCount { get; private init; }
    public TimeSpan FloodInterval { get; private init; }
    public bool EndAfterFlood { get; private init; }
    public FloodKind FloodKind { get; private init; }
    public long FillerBytes { get; private init; }
    public TimeSpan Pause { get; private init; }
    public bool CloseWithoutEnding { get; private init; }
    public string? CloseReason { get; private init; }

    public static OutgoingMessage Event(string type, Action<Utf8JsonWriter>? fields = null) => new() { EventType = type, Fields = fields };

    public static OutgoingMessage Verbatim(byte[] bytes, bool binary = false) => new() { Raw = bytes, Binary = binary };

    public static OutgoingMessage Flood(int count, TimeSpan interval, bool endAfter, FloodKind kind = FloodKind.Transcripts) =>
        new() { FloodCount = count, FloodInterval = interval, EndAfterFlood = endAfter, FloodKind = kind };

    /// <summary>One message of <paramref name="bytes"/> filler bytes, written in pieces.</summary>
    public static OutgoingMessage Filler(long bytes, bool binary) => new() { FillerBytes = bytes, Binary = binary };

    /// <summary>Nothing sent for <paramref name="duration"/>: spaces what follows.</summary>
    public static OutgoingMessage Wait(TimeSpan duration) => new() { Pause = duration };

    /// <summary>A normal close frame, with no session.ended before it.</summary>
    public static OutgoingMessage CloseOnly() => new() { CloseWithoutEnding = true };

    /// <summary>session.ended with this reason, then a normal close.</summary>
    public static OutgoingMessage EndSession(string reason) => new() { CloseReason = reason };
}
