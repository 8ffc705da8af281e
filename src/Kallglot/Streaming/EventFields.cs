using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Kallglot.Streaming;

/// <summary>
/// The fields of one stream message that the parser reads, found in a single pass of
/// <see cref="Utf8JsonReader"/> over the whole message: no document is built and no field is looked
/// up twice. The pass reads every token, so JSON that is not valid anywhere in the message fails as
/// it does for <see cref="JsonDocument"/>, with the reader's own message; where a name comes more
/// than once, the last one counts, as in <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>,
/// nested objects included.
/// </summary>
internal struct EventFields
{
    /// <summary>The slots of one object: one per <see cref="MessageField"/>.</summary>
    public const int BlockLength = (int)MessageField.LostBecause + 1;

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

    private FieldSlots _slots;

    /// <summary>The kind of the message's root value: the parser reads only an object.</summary>
    public JsonTokenType RootKind { get; private set; }

    /// <summary>A field of the message's root; <see cref="FieldValue.IsPresent"/> is false when the message does not hold it.</summary>
    public readonly FieldValue this[MessageField field] => _slots[(int)field];

    /// <summary>A field of the object the last <paramref name="container"/> of the root holds, if that is an object.</summary>
    public readonly FieldValue In(MessageField container, MessageField field) => _slots[Block(container) + (int)field];

    /// <summary>A field of the <paramref name="container"/> object, or of the root when the root's last <paramref name="container"/> is not an object (servers send both shapes).</summary>
    public readonly FieldValue InOrRoot(MessageField container, MessageField field) => this[container].IsObject ? In(container, field) : this[field];

    /// <summary>Reads the whole of <paramref name="message"/> into <paramref name="fields"/>.</summary>
    /// <exception cref="JsonException">The message is not valid JSON.</exception>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Read(ReadOnlySpan<byte> message, out EventFields fields)
    {
        fields = default;
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
                if (field != MessageField.None)
                {
                    fields._slots[(int)field] = FieldValue.At(ref reader);
                }
                if (field is MessageField.Translation or MessageField.Audio or MessageField.Error)
                {
                    // Only the last occurrence counts: what an earlier one held is forgotten.
                    Span<FieldValue> nested = fields._slots;
                    nested.Slice(Block(field), BlockLength).Clear();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadNested(ref reader, nested.Slice(Block(field), BlockLength));
                        continue;
                    }
                }
                reader.Skip();
            }
        }
        // Anything but white space after the root value throws here, as it does for JsonDocument.
        reader.Read();
    }

    /// <summary>The fields of the object the reader is on, to its end.</summary>
    private static void ReadNested(ref Utf8JsonReader reader, scoped Span<FieldValue> block)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader);
            reader.Read();
            if (field != MessageField.None)
            {
                block[(int)field] = FieldValue.At(ref reader);
            }
            reader.Skip();
        }
    }

    private static int Block(MessageField container) => container switch
    {
        MessageField.Translation => BlockLength,
        MessageField.Audio => 2 * BlockLength,
        MessageField.Error => 3 * BlockLength,
        _ => throw new ArgumentOutOfRangeException(nameof(container), container, "Only translation, audio and error are read into."),
    };

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
