using System.Globalization;
using System.Text;
using System.Text.Json;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Tests.Streaming;

/// <summary>
/// The event parser as it was before it read each message in one pass (2026-12-02): a JsonDocument
/// and a lookup per field. Kept as the reference the one-pass parser is tested against, message for
/// message (EventParserDifferentialTests); not used by the module.
/// </summary>
internal static class JsonDocumentEventParser
{
    // Returned as these instances rather than a new string per event: at hundreds of thousands of events a second, every string counts.
    // Compared as UTF-8, so no name is transcoded per event either.
    private static readonly (byte[] Utf8, string Name)[] KnownTypes =
        [.. new[] { "transcript.partial", "transcript.final", "audio.output", "session.ready", "session.ended", "error", "stream.reconnected" }
            .Select(name => (Encoding.UTF8.GetBytes(name), name))];

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Parses <paramref name="json"/>; <paramref name="sessionId"/> is used when the event names none.</summary>
    /// <exception cref="EventParseException">The message is not an event.</exception>
    public static KallglotEvent Parse(string json, string sessionId, long index, DateTimeOffset receivedAt) =>
        Parse(static text => JsonDocument.Parse(text, DocumentOptions), json, json, default, sessionId, index, receivedAt);

    /// <summary>Parses UTF-8 JSON as received; the event keeps <paramref name="utf8Json"/> (not copied: the caller gives it up) and makes its text only when read.</summary>
    /// <exception cref="EventParseException">The message is not an event.</exception>
    internal static KallglotEvent Parse(ReadOnlyMemory<byte> utf8Json, string sessionId, long index, DateTimeOffset receivedAt) =>
        Parse(static bytes => JsonDocument.Parse(bytes, DocumentOptions), utf8Json, null, utf8Json, sessionId, index, receivedAt);

    private static KallglotEvent Parse<TInput>(Func<TInput, JsonDocument> open, TInput input, string? json, ReadOnlyMemory<byte> utf8Json,
        string sessionId, long index, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = open(input);
        }
        catch (JsonException exception)
        {
            throw new EventParseException($"A stream message is not valid JSON ({exception.Message}).", exception);
        }
        catch (ArgumentException exception)
        {
            throw new EventParseException($"A stream message could not be read ({exception.Message}).", exception);
        }
        using (document)
        {
            try
            {
                var result = Read(document.RootElement, json, sessionId, index, receivedAt);
                if (json is null)
                {
                    result.Utf8Json = utf8Json;
                }
                return result;
            }
            catch (InvalidOperationException exception)
            {
                // Valid JSON can still hold text .NET cannot make a string of, such as a lone surrogate escape.
                throw new EventParseException($"A stream message holds text that cannot be read ({exception.Message}).", exception);
            }
        }
    }

    private static KallglotEvent Read(JsonElement root, string? json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EventParseException($"A stream message is JSON but not an object (it is {root.ValueKind}).");
        }
        var type = root.TryGetProperty("type"u8, out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? KnownType(typeElement) ?? typeElement.GetString()
            : null;
        if (string.IsNullOrEmpty(type))
        {
            throw new EventParseException("A stream message has no 'type'.");
        }
        KallglotEvent result = type switch
        {
            "session.ready" => new SessionReadyEvent(),
            "transcript.partial" => new TranscriptPartialEvent
            {
                Speaker = String(root, "speaker"u8),
                Text = String(root, "text"u8) ?? string.Empty,
                UtteranceId = String(root, "utterance_id"u8),
            },
            "transcript.final" => ReadFinal(root),
            "audio.output" => ReadAudio(root),
            "session.ended" => new SessionEndedEvent { Reason = String(root, "reason"u8) },
            "error" => ReadError(root),
            "stream.reconnected" => ReadReconnected(root),
            _ => new KallglotEvent(),
        };
        result.Type = type;
        result.SessionId = SessionId(root, sessionId);
        result.Index = index;
        result.ReceivedAt = receivedAt;
        if (json is not null)
        {
            result.Json = json;
        }
        return result;
    }

    private static string? KnownType(JsonElement type)
    {
        foreach (var (utf8, name) in KnownTypes)
        {
            if (type.ValueEquals(utf8))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>The event's own session id; the stream's instance when they are the same, as they nearly always are.</summary>
    private static string SessionId(JsonElement root, string sessionId) =>
        !root.TryGetProperty("session_id"u8, out var value) || (value.ValueKind == JsonValueKind.String && value.ValueEquals(sessionId))
            ? sessionId
            : Text(value) ?? sessionId;

    private static TranscriptFinalEvent ReadFinal(JsonElement root)
    {
        TranscriptTranslation? translation = null;
        if (root.TryGetProperty("translation"u8, out var element))
        {
            translation = element.ValueKind switch
            {
                JsonValueKind.Object when String(element, "text"u8) is { } text => new TranscriptTranslation(text, String(element, "language"u8) ?? String(element, "target_language"u8)),
                JsonValueKind.String => new TranscriptTranslation(element.GetString()!, null),
                _ => null,
            };
        }
        return new TranscriptFinalEvent
        {
            Speaker = String(root, "speaker"u8),
            Text = String(root, "text"u8) ?? string.Empty,
            UtteranceId = String(root, "utterance_id"u8),
            SourceLanguage = String(root, "source_language"u8) ?? String(root, "language"u8),
            Translation = translation,
            Start = Milliseconds(root, "start_ms"u8),
            End = Milliseconds(root, "end_ms"u8),
        };
    }

    private static AudioOutputEvent ReadAudio(JsonElement root)
    {
        var audio = root.TryGetProperty("audio"u8, out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        var payload = Array.Empty<byte>();
        if (audio.TryGetProperty("payload"u8, out var payloadElement) && payloadElement.ValueKind == JsonValueKind.String)
        {
            if (!payloadElement.TryGetBytesFromBase64(out var bytes))
            {
                throw new EventParseException("An audio.output event's payload is not base64.");
            }
            payload = bytes;
        }
        return new AudioOutputEvent
        {
            Encoding = String(audio, "encoding"u8) ?? "mulaw",
            SampleRateHz = (int)(Number(audio, "sample_rate_hz"u8) ?? Number(audio, "sample_rate"u8) ?? 8000),
            Payload = payload,
            UtteranceId = String(root, "utterance_id"u8),
        };
    }

    private static StreamReconnectedEvent ReadReconnected(JsonElement root) => new()
    {
        Gap = Milliseconds(root, "gap_ms"u8) ?? TimeSpan.Zero,
        Attempts = (int)(Number(root, "attempts"u8) ?? 0),
        Reconnects = (int)(Number(root, "reconnects"u8) ?? 0),
        FramesNotSent = (long)(Number(root, "frames_not_sent"u8) ?? 0),
        LostBecause = String(root, "lost_because"u8) ?? string.Empty,
    };

    private static StreamErrorEvent ReadError(JsonElement root)
    {
        var source = root.TryGetProperty("error"u8, out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        return new StreamErrorEvent
        {
            Code = String(source, "code"u8) ?? "stream_error",
            Message = String(source, "message"u8) ?? "The server reported an error without a message.",
        };
    }

    // Names are UTF-8 literals: a string name would be transcoded again on every lookup of every event.
    private static string? String(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) ? Text(value) : null;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static double? Number(JsonElement element, ReadOnlySpan<byte> name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }
        return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
            ? parsed
            : null;
    }

    private static TimeSpan? Milliseconds(JsonElement element, ReadOnlySpan<byte> name) =>
        Number(element, name) is { } ms && Math.Abs(ms) < TimeSpan.MaxValue.TotalMilliseconds / 2 ? TimeSpan.FromMilliseconds(ms) : null;
}
