using System.Text.Json;

namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>
/// One thing for a connection's single writer to send: a closed set of kinds (the constructor is not
/// reachable outside this assembly), each its own type, so the writer's switch covers them all.
/// Events are serialized at the moment of sending, so <c>emulator_sent_at_ticks</c> is the true send time.
/// </summary>
internal abstract record OutgoingMessage
{
    private protected OutgoingMessage()
    {
    }

    public static OutgoingMessage Event(string type, Action<Utf8JsonWriter>? fields = null) => new EventMessage(type, fields);

    public static OutgoingMessage Verbatim(byte[] bytes, bool binary = false) => new VerbatimMessage(bytes, binary);

    public static OutgoingMessage Flood(int count, TimeSpan interval, bool endAfter, FloodKind kind = FloodKind.Transcripts) => new FloodMessage(count, interval, endAfter, kind);

    /// <summary>One message of <paramref name="bytes"/> filler bytes, written in pieces.</summary>
    public static OutgoingMessage Filler(long bytes, bool binary) => new FillerMessage(bytes, binary);

    /// <summary>Nothing sent for <paramref name="duration"/>: spaces what follows.</summary>
    public static OutgoingMessage Wait(TimeSpan duration) => new PauseMessage(duration);

    /// <summary>A close frame with <paramref name="status"/> (1000, normal, unless given), with no session.ended before it.</summary>
    public static OutgoingMessage CloseOnly(int status = 1000) => new CloseMessage(status);

    /// <summary>session.ended with this reason, then a normal close.</summary>
    public static OutgoingMessage EndSession(string reason) => new EndSessionMessage(reason);
}
