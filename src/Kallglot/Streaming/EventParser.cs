using System.Globalization;
using System.Text.Json;
using Kallglot.Streaming.Events;

namespace Kallglot.Streaming;

/// <summary>
/// Reads one stream message into a typed event. Tolerant of what it cannot know: missing fields
/// become empty or null, numbers may come as strings, unknown types keep the base class.
/// Anything that is not a JSON object with a string <c>type</c> is an <see cref="EventParseException"/>.
/// </summary>
public static class EventParser
{
    /// <summary>Parses <paramref name="json"/>; <paramref name="sessionId"/> is used when the event names none.</summary>
    /// <exception cref="EventParseException">The message is not an event.</exception>
    public static KallglotEvent Parse(string json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
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
                return Read(document.RootElement, json, sessionId, index, receivedAt);
            }
            catch (InvalidOperationException exception)
            {
                // Valid JSON can still hold text .NET cannot make a string of, such as a lone surrogate escape.
                throw new EventParseException($"A stream message holds text that cannot be read ({exception.Message}).", exception);
            }
        }
    }

    /// <summary>The event of an element already parsed (a recording's line holds it), its text <paramref name="json"/>: no second parse.</summary>
    /// <exception cref="EventParseException">The element is not an event.</exception>
    public static KallglotEvent Parse(JsonElement element, string json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        try
        {
            return Read(element, json, sessionId, index, receivedAt);
        }
        catch (InvalidOperationException exception)
        {
            throw new EventParseException($"A stream message holds text that cannot be read ({exception.Message}).", exception);
        }
    }

    private static KallglotEvent Read(JsonElement root, string json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EventParseException($"A stream message is JSON but not an object (it is {root.ValueKind}).");
        }
        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(typeElement.GetString()))
        {
            throw new EventParseException("A stream message has no 'type'.");
        }
        var type = typeElement.GetString()!;
        KallglotEvent result = type switch
        {
            "session.ready" => new SessionReadyEvent(),
            "transcript.partial" => new TranscriptPartialEvent
            {
                Speaker = String(root, "speaker"),
                Text = String(root, "text") ?? string.Empty,
                UtteranceId = String(root, "utterance_id"),
            },
            "transcript.final" => ReadFinal(root),
            "audio.output" => ReadAudio(root),
            "session.ended" => new SessionEndedEvent { Reason = String(root, "reason") },
            "error" => ReadError(root),
            "stream.reconnected" => ReadReconnected(root),
            _ => new KallglotEvent(),
        };
        result.Type = type;
        result.SessionId = String(root, "session_id") ?? sessionId;
        result.Index = index;
        result.ReceivedAt = receivedAt;
        result.Json = json;
        return result;
    }

    private static TranscriptFinalEvent ReadFinal(JsonElement root)
    {
        TranscriptTranslation? translation = null;
        if (root.TryGetProperty("translation", out var element))
        {
            translation = element.ValueKind switch
            {
                JsonValueKind.Object when String(element, "text") is { } text => new TranscriptTranslation(text, String(element, "language") ?? String(element, "target_language")),
                JsonValueKind.String => new TranscriptTranslation(element.GetString()!, null),
                _ => null,
            };
        }
        return new TranscriptFinalEvent
        {
            Speaker = String(root, "speaker"),
            Text = String(root, "text") ?? string.Empty,
            UtteranceId = String(root, "utterance_id"),
            SourceLanguage = String(root, "source_language") ?? String(root, "language"),
            Translation = translation,
            Start = Milliseconds(root, "start_ms"),
            End = Milliseconds(root, "end_ms"),
        };
    }

    private static AudioOutputEvent ReadAudio(JsonElement root)
    {
        var audio = root.TryGetProperty("audio", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        var payload = Array.Empty<byte>();
        if (audio.TryGetProperty("payload", out var payloadElement) && payloadElement.ValueKind == JsonValueKind.String)
        {
            if (!payloadElement.TryGetBytesFromBase64(out var bytes))
            {
                throw new EventParseException("An audio.output event's payload is not base64.");
            }
            payload = bytes;
        }
        return new AudioOutputEvent
        {
            Encoding = String(audio, "encoding") ?? "mulaw",
            SampleRateHz = (int)(Number(audio, "sample_rate_hz") ?? Number(audio, "sample_rate") ?? 8000),
            Payload = payload,
            UtteranceId = String(root, "utterance_id"),
        };
    }

    private static StreamReconnectedEvent ReadReconnected(JsonElement root) => new()
    {
        Gap = Milliseconds(root, "gap_ms") ?? TimeSpan.Zero,
        Attempts = (int)(Number(root, "attempts") ?? 0),
        Reconnects = (int)(Number(root, "reconnects") ?? 0),
        FramesNotSent = (long)(Number(root, "frames_not_sent") ?? 0),
        LostBecause = String(root, "lost_because") ?? string.Empty,
    };

    private static StreamErrorEvent ReadError(JsonElement root)
    {
        var source = root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        return new StreamErrorEvent
        {
            Code = String(source, "code") ?? "stream_error",
            Message = String(source, "message") ?? "The server reported an error without a message.",
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static double? Number(JsonElement element, string name)
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

    private static TimeSpan? Milliseconds(JsonElement element, string name) =>
        Number(element, name) is { } ms && Math.Abs(ms) < TimeSpan.MaxValue.TotalMilliseconds / 2 ? TimeSpan.FromMilliseconds(ms) : null;
}
