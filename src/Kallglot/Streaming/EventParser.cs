using System.Runtime.CompilerServices;
using System.Text;
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
    // Returned as these instances rather than a new string per event: at hundreds of thousands of events a second, every string counts.
    // Compared as UTF-8, so no name is transcoded per event either.
    private static readonly (byte[] Utf8, string Name)[] KnownTypes =
        [.. new[] { "transcript.partial", "transcript.final", "audio.output", "session.ready", "session.ended", "error", "stream.reconnected" }
            .Select(name => (Encoding.UTF8.GetBytes(name), name))];

    /// <summary>Parses <paramref name="json"/>; <paramref name="sessionId"/> is used when the event names none.</summary>
    /// <exception cref="EventParseException">The message is not an event.</exception>
    public static KallglotEvent Parse(string json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        if (json is null)
        {
            throw new EventParseException("A stream message could not be read: there was none.");
        }
        PooledUtf8 utf8;
        try
        {
            utf8 = PooledUtf8.From(json);
        }
        catch (EncoderFallbackException exception)
        {
            throw new EventParseException($"A stream message could not be read: it is not valid UTF-16 text ({exception.Message}).", exception);
        }
        using (utf8)
        {
            var result = Parse(utf8.Span, sessionId, index, receivedAt);
            result.Json = json;
            return result;
        }
    }

    /// <summary>Parses UTF-8 JSON as received; the event keeps <paramref name="utf8Json"/> (not copied: the caller gives it up) and makes its text only when read.</summary>
    /// <exception cref="EventParseException">The message is not an event.</exception>
    internal static KallglotEvent Parse(ReadOnlyMemory<byte> utf8Json, string sessionId, long index, DateTimeOffset receivedAt)
    {
        var result = Parse(utf8Json.Span, sessionId, index, receivedAt);
        result.Utf8Json = utf8Json;
        return result;
    }

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static KallglotEvent Parse(ReadOnlySpan<byte> message, string sessionId, long index, DateTimeOffset receivedAt)
    {
        EventFields fields;
        try
        {
            EventFields.Read(message, out fields);
        }
        catch (JsonException exception)
        {
            throw new EventParseException($"A stream message is not valid JSON ({exception.Message}).", exception);
        }
        try
        {
            var result = Read(in fields, message, sessionId);
            result.Index = index;
            result.ReceivedAt = receivedAt;
            return result;
        }
        catch (InvalidOperationException exception)
        {
            // Valid JSON can still hold text .NET cannot make a string of, such as a lone surrogate escape.
            throw new EventParseException($"A stream message holds text that cannot be read ({exception.Message}).", exception);
        }
    }

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static KallglotEvent Read(in EventFields fields, ReadOnlySpan<byte> message, string sessionId)
    {
        if (fields.RootKind != JsonTokenType.StartObject)
        {
            throw new EventParseException($"A stream message is JSON but not an object (it is {ValueKind(fields.RootKind)}).");
        }
        var type = fields[MessageField.Type].IsString ? KnownType(fields[MessageField.Type], message) ?? fields[MessageField.Type].GetString(message) : null;
        if (string.IsNullOrEmpty(type))
        {
            throw new EventParseException("A stream message has no 'type'.");
        }
        KallglotEvent result = type switch
        {
            "session.ready" => new SessionReadyEvent(),
            "transcript.partial" => new TranscriptPartialEvent
            {
                Speaker = fields[MessageField.Speaker].Text(message),
                Text = fields[MessageField.Text].Text(message) ?? string.Empty,
                UtteranceId = fields[MessageField.UtteranceId].Text(message),
            },
            "transcript.final" => ReadFinal(in fields, message),
            "audio.output" => ReadAudio(in fields, message),
            "session.ended" => new SessionEndedEvent { Reason = fields[MessageField.Reason].Text(message) },
            "error" => ReadError(in fields, message),
            "stream.reconnected" => ReadReconnected(in fields, message),
            _ => new KallglotEvent(),
        };
        result.Type = type;
        result.SessionId = SessionId(fields[MessageField.SessionId], message, sessionId);
        return result;
    }

    private static string? KnownType(FieldValue type, ReadOnlySpan<byte> message)
    {
        foreach (var (utf8, name) in KnownTypes)
        {
            if (type.ValueEquals(message, utf8))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>The event's own session id; the stream's instance when they are the same, as they nearly always are.</summary>
    private static string SessionId(FieldValue value, ReadOnlySpan<byte> message, string sessionId) =>
        !value.IsPresent || (value.IsString && value.ValueEquals(message, sessionId))
            ? sessionId
            : value.Text(message) ?? sessionId;

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TranscriptFinalEvent ReadFinal(in EventFields fields, ReadOnlySpan<byte> message)
    {
        var translation = fields[MessageField.Translation].Kind switch
        {
            JsonTokenType.StartObject when fields.In(MessageField.Translation, MessageField.Text).Text(message) is { } text =>
                new TranscriptTranslation(text, fields.In(MessageField.Translation, MessageField.Language).Text(message)
                    ?? fields.In(MessageField.Translation, MessageField.TargetLanguage).Text(message)),
            JsonTokenType.String => new TranscriptTranslation(fields[MessageField.Translation].GetString(message), null),
            _ => null,
        };
        return new TranscriptFinalEvent
        {
            Speaker = fields[MessageField.Speaker].Text(message),
            Text = fields[MessageField.Text].Text(message) ?? string.Empty,
            UtteranceId = fields[MessageField.UtteranceId].Text(message),
            SourceLanguage = fields[MessageField.SourceLanguage].Text(message) ?? fields[MessageField.Language].Text(message),
            Translation = translation,
            Start = Milliseconds(fields[MessageField.StartMs], message),
            End = Milliseconds(fields[MessageField.EndMs], message),
        };
    }

    private static AudioOutputEvent ReadAudio(in EventFields fields, ReadOnlySpan<byte> message)
    {
        var payload = Array.Empty<byte>();
        if (fields.InOrRoot(MessageField.Audio, MessageField.Payload) is { IsString: true } payloadValue)
        {
            if (!payloadValue.TryGetBytesFromBase64(message, out var bytes))
            {
                throw new EventParseException("An audio.output event's payload is not base64.");
            }
            payload = bytes;
        }
        return new AudioOutputEvent
        {
            Encoding = fields.InOrRoot(MessageField.Audio, MessageField.Encoding).Text(message) ?? "mulaw",
            SampleRateHz = (int)(fields.InOrRoot(MessageField.Audio, MessageField.SampleRateHz).Number(message) ?? fields.InOrRoot(MessageField.Audio, MessageField.SampleRate).Number(message) ?? 8000),
            Payload = payload,
            UtteranceId = fields[MessageField.UtteranceId].Text(message),
        };
    }

    private static StreamReconnectedEvent ReadReconnected(in EventFields fields, ReadOnlySpan<byte> message) => new()
    {
        Gap = Milliseconds(fields[MessageField.GapMs], message) ?? TimeSpan.Zero,
        Attempts = (int)(fields[MessageField.Attempts].Number(message) ?? 0),
        Reconnects = (int)(fields[MessageField.Reconnects].Number(message) ?? 0),
        FramesNotSent = (long)(fields[MessageField.FramesNotSent].Number(message) ?? 0),
        LostBecause = fields[MessageField.LostBecause].Text(message) ?? string.Empty,
    };

    private static StreamErrorEvent ReadError(in EventFields fields, ReadOnlySpan<byte> message) => new()
    {
        Code = fields.InOrRoot(MessageField.Error, MessageField.Code).Text(message) ?? "stream_error",
        Message = fields.InOrRoot(MessageField.Error, MessageField.Message).Text(message) ?? "The server reported an error without a message.",
    };

    private static TimeSpan? Milliseconds(FieldValue value, ReadOnlySpan<byte> message) =>
        value.Number(message) is { } ms && Math.Abs(ms) < TimeSpan.MaxValue.TotalMilliseconds / 2 ? TimeSpan.FromMilliseconds(ms) : null;

    private static JsonValueKind ValueKind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };
}
