using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Kallglot.Security;
using Kallglot.Streaming.Events;
using Websocket.Client;

namespace Kallglot.Streaming;

/// <summary>
/// Turns what arrives on the socket into events, numbered in arrival order: server events parsed,
/// and what is not an event (binary, over the size limit, malformed) as the client's own error events,
/// so nothing passes unseen. Every message is recorded as it arrives, when recording.
/// </summary>
internal sealed class InboundDecoder
{
    private readonly string _sessionId;
    private readonly int _maxMessageBytes;
    private readonly StreamRecorder? _recorder;
    private readonly KallglotSecret?[] _secrets;
    private readonly byte[][] _secretsUtf8;
    private long _index;

    public InboundDecoder(string sessionId, int maxMessageBytes, StreamRecorder? recorder, KallglotSecret? token)
    {
        _sessionId = sessionId;
        // One array for every message: a params array per call was a measurable share of each event's allocations.
        _secrets = [token];
        _secretsUtf8 = token is null ? [] : [Encoding.UTF8.GetBytes(token.Reveal())];
        _maxMessageBytes = maxMessageBytes;
        _recorder = recorder;
    }

    /// <summary>Events received or raised so far.</summary>
    public long EventsReceived => Interlocked.Read(ref _index);

    /// <summary>
    /// The event for <paramref name="message"/>, which arrived on the socket as <paramref name="receivedAs"/> (the library
    /// hands text over as bytes, unconverted); <paramref name="skippedBytes"/> is set when the socket skipped it for its size.
    /// </summary>
    /// <exception cref="Errors.KallglotException">The recording could not be written (<c>stream_record_failed</c>).</exception>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public KallglotEvent Decode(ResponseMessage message, WebSocketMessageType receivedAs, long? skippedBytes, DateTimeOffset receivedAt)
    {
        if (skippedBytes is { } size)
        {
            return ClientError("message_too_large", $"The server sent a message of {size} bytes, over the {_maxMessageBytes}-byte limit; it was skipped as it was read, and the stream goes on.", receivedAt);
        }
        // Some servers send their JSON events as bytes (Python's send(bytes), Node's send(Buffer)): a binary message that is a JSON
        // object in UTF-8 is an event like any other.
        if (receivedAs == WebSocketMessageType.Binary && !IsJsonObjectInUtf8(message.Binary))
        {
            var length = message.Binary?.Length ?? 0;
            return ClientError("binary_message", $"The server sent a binary message of {length} bytes that is not a JSON object in UTF-8; Kallglot events are JSON, so it was skipped.", receivedAt);
        }
        if (message.Text is { } received)
        {
            return DecodeText(received, receivedAt);
        }
        var utf8 = message.Binary ?? [];
        if (_recorder is not null || JsonRedactor.MayHoldSecret(utf8, _secretsUtf8))
        {
            // A recording holds text, and masking works on text: the one string made of the message serves the event too.
            return DecodeText(Encoding.UTF8.GetString(utf8), receivedAt);
        }
        // Nothing to mask or record: parsed from the bytes as they came, with no string made of the whole message.
        return Parse(utf8, _sessionId, Interlocked.Increment(ref _index), receivedAt);
    }

    private static bool IsJsonObjectInUtf8(byte[]? bytes)
    {
        if (bytes is null)
        {
            return false;
        }
        var start = bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && bytes[start] == (byte)'{' && Utf8.IsValid(bytes);
    }

    private KallglotEvent DecodeText(string received, DateTimeOffset receivedAt)
    {
        // Masked before anything keeps it: the recording, the event's Json and Raw, and the texts of its fields.
        var text = JsonRedactor.Redact(received, _secrets);
        var index = Interlocked.Increment(ref _index);
        _recorder?.Write("in", text, receivedAt, index);
        return Parse(text, _sessionId, index, receivedAt);
    }

    /// <summary>The event for a message's text, or the client's malformed_event error when it is not one: live and from a recording alike.</summary>
    public static KallglotEvent Parse(string text, string sessionId, long index, DateTimeOffset receivedAt)
    {
        try
        {
            return EventParser.Parse(text, sessionId, index, receivedAt);
        }
        catch (EventParseException exception)
        {
            return Malformed(exception, sessionId, index, receivedAt);
        }
    }

    /// <summary>The event for a message's UTF-8 bytes (kept by the event, not copied), or malformed_event: live and from a recording alike.</summary>
    internal static KallglotEvent Parse(ReadOnlyMemory<byte> utf8, string sessionId, long index, DateTimeOffset receivedAt)
    {
        try
        {
            return EventParser.Parse(utf8, sessionId, index, receivedAt);
        }
        catch (EventParseException exception)
        {
            return Malformed(exception, sessionId, index, receivedAt);
        }
    }

    /// <summary>An error event raised by the client about the stream; recorded as the client's.</summary>
    public StreamErrorEvent ClientError(string code, string text, DateTimeOffset receivedAt)
    {
        var error = ErrorEvent(_sessionId, code, text, receivedAt, Interlocked.Increment(ref _index));
        _recorder?.Write("client", error.Json, receivedAt, error.Index);
        return error;
    }

    private static StreamErrorEvent Malformed(EventParseException exception, string sessionId, long index, DateTimeOffset receivedAt) =>
        ErrorEvent(sessionId, "malformed_event", $"{exception.Message} It was skipped.", receivedAt, index);

    private static StreamErrorEvent ErrorEvent(string sessionId, string code, string text, DateTimeOffset receivedAt, long index) => new()
    {
        Type = "error",
        Code = code,
        Message = text,
        SessionId = sessionId,
        Index = index,
        ReceivedAt = receivedAt,
        FromClient = true,
        Json = JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "error", ["code"] = code, ["message"] = text, ["source"] = "client" }),
    };

    /// <summary>The <c>stream.reconnected</c> event for a gap that just closed.</summary>
    public StreamReconnectedEvent Reconnected(TimeSpan gap, int attempts, int reconnects, long framesNotSent, string lostBecause, DateTimeOffset at)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "stream.reconnected",
            ["gap_ms"] = Math.Round(gap.TotalMilliseconds),
            ["attempts"] = attempts,
            ["reconnects"] = reconnects,
            ["frames_not_sent"] = framesNotSent,
            ["lost_because"] = lostBecause,
            ["source"] = "client",
        });
        var index = Interlocked.Increment(ref _index);
        _recorder?.Write("client", json, at, index);
        // Read from its own JSON, as a recording reads it back: live and replayed, the same event.
        var reconnected = (StreamReconnectedEvent)EventParser.Parse(json, _sessionId, index, at);
        reconnected.FromClient = true;
        return reconnected;
    }
}
