using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Kallglot.Streaming;

/// <summary>
/// The fields of one stream message that the parser reads, found in a single pass of
/// <see cref="Utf8JsonReader"/> over the whole message: no document is built and no field is looked
/// up twice. The pass reads every token, so JSON that is not valid anywhere in the message fails as
/// it does for <see cref="JsonDocument"/>, with the reader's own message; where a name comes more
/// than once, the last one counts, as in <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>.
/// </summary>
internal struct EventFields
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    private static readonly (byte[] Utf8, MessageField Field)[] Names =
    [
        ("type"u8.ToArray(), MessageField.Type), ("session_id"u8.ToArray(), MessageField.SessionId), ("speaker"u8.ToArray(), MessageField.Speaker),
        ("text"u8.ToArray(), MessageField.Text), ("utterance_id"u8.ToArray(), MessageField.UtteranceId),
        ("source_language"u8.ToArray(), MessageField.SourceLanguage), ("language"u8.ToArray(), MessageField.Language),
        ("target_language"u8.ToArray(), MessageField.TargetLanguage), ("translation"u8.ToArray(), MessageField.Translation),
        ("start_ms"u8.ToArray(), MessageField.StartMs), ("end_ms"u8.ToArray(), MessageField.EndMs), ("reason"u8.ToArray(), MessageField.Reason),
        ("audio"u8.ToArray(), MessageField.Audio), ("payload"u8.ToArray(), MessageField.Payload), ("encoding"u8.ToArray(), MessageField.Encoding),
        ("sample_rate_hz"u8.ToArray(), MessageField.SampleRateHz), ("sample_rate"u8.ToArray(), MessageField.SampleRate),
        ("error"u8.ToArray(), MessageField.Error), ("code"u8.ToArray(), MessageField.Code), ("message"u8.ToArray(), MessageField.Message),
        ("gap_ms"u8.ToArray(), MessageField.GapMs), ("attempts"u8.ToArray(), MessageField.Attempts), ("reconnects"u8.ToArray(), MessageField.Reconnects),
        ("frames_not_sent"u8.ToArray(), MessageField.FramesNotSent), ("lost_because"u8.ToArray(), MessageField.LostBecause),
    ];

    // Most names are told apart by their length alone, so a name is compared with one or two of these, not all.
    private static readonly (byte[] Utf8, MessageField Field)[][] NamesByLength =
        [.. Enumerable.Range(0, Names.Max(name => name.Utf8.Length) + 1).Select(length => Names.Where(name => name.Utf8.Length == length).ToArray())];

    /// <summary>The kind of the message's root value: the parser reads only an object.</summary>
    public JsonTokenType RootKind;

    public FieldValue Type, SessionId, Speaker, Text, UtteranceId, SourceLanguage, Language, StartMs, EndMs, Reason;
    public FieldValue Payload, Encoding, SampleRateHz, SampleRate, Code, Message;
    public FieldValue GapMs, Attempts, Reconnects, FramesNotSent, LostBecause;

    /// <summary><c>translation</c>, and the fields of its last occurrence when that is an object.</summary>
    public FieldValue Translation, TranslationText, TranslationLanguage, TranslationTargetLanguage;

    /// <summary><c>audio</c>, and the fields of its last occurrence when that is an object.</summary>
    public FieldValue Audio, AudioPayload, AudioEncoding, AudioSampleRateHz, AudioSampleRate;

    /// <summary><c>error</c>, and the fields of its last occurrence when that is an object.</summary>
    public FieldValue Error, ErrorCode, ErrorMessage;

    /// <summary>Reads the whole of <paramref name="message"/>.</summary>
    /// <exception cref="JsonException">The message is not valid JSON.</exception>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EventFields Read(ReadOnlySpan<byte> message)
    {
        var fields = default(EventFields);
        var reader = new Utf8JsonReader(message, ReaderOptions);
        reader.Read();
        fields.RootKind = reader.TokenType;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
        }
        else
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Identify(ref reader);
                reader.Read();
                switch (field)
                {
                    case MessageField.Translation:
                        fields.Translation = FieldValue.At(ref reader);
                        fields.TranslationText = fields.TranslationLanguage = fields.TranslationTargetLanguage = default;
                        ReadNested(ref reader, ref fields, field);
                        break;
                    case MessageField.Audio:
                        fields.Audio = FieldValue.At(ref reader);
                        fields.AudioPayload = fields.AudioEncoding = fields.AudioSampleRateHz = fields.AudioSampleRate = default;
                        ReadNested(ref reader, ref fields, field);
                        break;
                    case MessageField.Error:
                        fields.Error = FieldValue.At(ref reader);
                        fields.ErrorCode = fields.ErrorMessage = default;
                        ReadNested(ref reader, ref fields, field);
                        break;
                    case MessageField.None or MessageField.TargetLanguage:
                        reader.Skip();
                        break;
                    default:
                        RootSlot(ref fields, field) = FieldValue.At(ref reader);
                        reader.Skip();
                        break;
                }
            }
        }
        // Anything but white space after the root value throws here, as it does for JsonDocument.
        reader.Read();
        return fields;
    }

    /// <summary>The fields of a <c>translation</c>, <c>audio</c> or <c>error</c> object the reader is on; any other value is skipped.</summary>
    private static void ReadNested(ref Utf8JsonReader reader, ref EventFields fields, MessageField container)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader);
            reader.Read();
            switch ((container, field))
            {
                case (MessageField.Translation, MessageField.Text): fields.TranslationText = FieldValue.At(ref reader); break;
                case (MessageField.Translation, MessageField.Language): fields.TranslationLanguage = FieldValue.At(ref reader); break;
                case (MessageField.Translation, MessageField.TargetLanguage): fields.TranslationTargetLanguage = FieldValue.At(ref reader); break;
                case (MessageField.Audio, MessageField.Payload): fields.AudioPayload = FieldValue.At(ref reader); break;
                case (MessageField.Audio, MessageField.Encoding): fields.AudioEncoding = FieldValue.At(ref reader); break;
                case (MessageField.Audio, MessageField.SampleRateHz): fields.AudioSampleRateHz = FieldValue.At(ref reader); break;
                case (MessageField.Audio, MessageField.SampleRate): fields.AudioSampleRate = FieldValue.At(ref reader); break;
                case (MessageField.Error, MessageField.Code): fields.ErrorCode = FieldValue.At(ref reader); break;
                case (MessageField.Error, MessageField.Message): fields.ErrorMessage = FieldValue.At(ref reader); break;
            }
            reader.Skip();
        }
    }

    private static ref FieldValue RootSlot(ref EventFields fields, MessageField field)
    {
        switch (field)
        {
            case MessageField.Type: return ref fields.Type;
            case MessageField.SessionId: return ref fields.SessionId;
            case MessageField.Speaker: return ref fields.Speaker;
            case MessageField.Text: return ref fields.Text;
            case MessageField.UtteranceId: return ref fields.UtteranceId;
            case MessageField.SourceLanguage: return ref fields.SourceLanguage;
            case MessageField.Language: return ref fields.Language;
            case MessageField.StartMs: return ref fields.StartMs;
            case MessageField.EndMs: return ref fields.EndMs;
            case MessageField.Reason: return ref fields.Reason;
            case MessageField.Payload: return ref fields.Payload;
            case MessageField.Encoding: return ref fields.Encoding;
            case MessageField.SampleRateHz: return ref fields.SampleRateHz;
            case MessageField.SampleRate: return ref fields.SampleRate;
            case MessageField.Code: return ref fields.Code;
            case MessageField.Message: return ref fields.Message;
            case MessageField.GapMs: return ref fields.GapMs;
            case MessageField.Attempts: return ref fields.Attempts;
            case MessageField.Reconnects: return ref fields.Reconnects;
            case MessageField.FramesNotSent: return ref fields.FramesNotSent;
            case MessageField.LostBecause: return ref fields.LostBecause;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, "Not a field of the message's root that is read as a value.");
        }
    }

    /// <summary>The field the property name the reader is on names, compared unescaped as JsonElement compares names.</summary>
    private static MessageField Identify(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return ByName(reader.ValueSpan);
        }
        try
        {
            foreach (var (utf8, field) in Names)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return field;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A name whose escapes make no text (a lone surrogate) is none of the names read: skipped like any other.
        }
        return MessageField.None;
    }

    private static MessageField ByName(ReadOnlySpan<byte> name)
    {
        if (name.Length < NamesByLength.Length)
        {
            foreach (var (utf8, field) in NamesByLength[name.Length])
            {
                if (name.SequenceEqual(utf8))
                {
                    return field;
                }
            }
        }
        return MessageField.None;
    }
}
