using System.Text.Json;
using Kallglot.Streaming;

namespace Kallglot.Recordings;

/// <summary>
/// Where the fields of one recording line sit, found in one pass of <see cref="Utf8JsonReader"/>
/// over the whole line: a line that is not valid JSON as a whole is refused, as before, and the
/// frame's bytes are taken as recorded, to be parsed as the event they were without a document of
/// the line. Where a name comes twice, the last one counts.
/// </summary>
internal readonly struct RecordingLine
{
    private static readonly byte[][] Names = ["direction"u8.ToArray(), "at"u8.ToArray(), "session"u8.ToArray(), "index"u8.ToArray()];

    private RecordingLine(ReadOnlySpan<FieldValue> values, FieldValue frame, Range frameJson)
    {
        Direction = values[0];
        At = values[1];
        Session = values[2];
        Index = values[3];
        Frame = frame;
        FrameJson = frameJson;
    }

    public FieldValue Direction { get; }

    public FieldValue At { get; }

    public FieldValue Session { get; }

    public FieldValue Index { get; }

    /// <summary>The frame: an object as received, or a string for a frame that was not JSON when it came.</summary>
    public FieldValue Frame { get; }

    /// <summary>A frame that is not a string: its JSON within the line, exactly as recorded.</summary>
    public Range FrameJson { get; }

    /// <summary>Reads the whole of <paramref name="line"/>.</summary>
    /// <exception cref="JsonException">The line is not valid JSON.</exception>
    /// <exception cref="FormatException">The line is JSON but not an object.</exception>
    public static RecordingLine Read(ReadOnlySpan<byte> line)
    {
        Span<FieldValue> values = stackalloc FieldValue[Names.Length];
        FieldValue frame = default;
        Range frameJson = default;
        var reader = new Utf8JsonReader(line);
        reader.Read();
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        if (!isObject)
        {
            reader.Skip();
        }
        while (isObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFrame = reader.ValueTextEquals("frame"u8);
            var slot = isFrame ? -1 : SlotOf(ref reader);
            reader.Read();
            if (isFrame)
            {
                frame = FieldValue.At(ref reader);
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                // After an object or array the reader stands on its end; any other value is its own one token.
                frameJson = new Range(start, reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray ? (int)reader.BytesConsumed : start + reader.ValueSpan.Length);
                continue;
            }
            if (slot >= 0)
            {
                values[slot] = FieldValue.At(ref reader);
            }
            reader.Skip();
        }
        // Anything but white space after the line's value throws here, as it does for JsonDocument.
        reader.Read();
        if (!isObject)
        {
            throw new FormatException("The line is JSON but not an object.");
        }
        return new RecordingLine(values, frame, frameJson);
    }

    private static int SlotOf(ref Utf8JsonReader reader)
    {
        for (var slot = 0; slot < Names.Length; slot++)
        {
            if (reader.ValueTextEquals(Names[slot]))
            {
                return slot;
            }
        }
        return -1;
    }
}
