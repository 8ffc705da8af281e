using System.Text.Json;
using Kallglot.Streaming;

namespace Kallglot.Recordings;

/// <summary>
/// Where the fields of one recording line sit, found in one pass of <see cref="Utf8JsonReader"/>
/// over the whole line: a line that is not valid JSON as a whole is refused, as before, and the
/// frame's bytes are taken as recorded, to be parsed as the event they were without a document of
/// the line. Where a name comes twice, the last one counts.
/// </summary>
/// <param name="Direction">Where the frame went: <c>in</c>, <c>out</c> or <c>client</c>.</param>
/// <param name="At">When it was received or sent.</param>
/// <param name="Session">The session it belongs to.</param>
/// <param name="Index">Its position in the stream as the client received it.</param>
/// <param name="Frame">The frame: an object as received, or a string for a frame that was not JSON when it came.</param>
/// <param name="FrameJson">The frame's JSON within the line, exactly as recorded.</param>
internal readonly record struct RecordingLine(FieldValue Direction, FieldValue At, FieldValue Session, FieldValue Index, FieldValue Frame, Range FrameJson)
{
    /// <summary>Reads the whole of <paramref name="line"/>.</summary>
    /// <exception cref="JsonException">The line is not valid JSON.</exception>
    /// <exception cref="FormatException">The line is JSON but not an object.</exception>
    public static RecordingLine Read(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            // Anything but white space after the value throws first, as it does for JsonDocument: a line cut short says so.
            reader.Read();
            throw new FormatException("The line is JSON but not an object.");
        }
        FieldValue direction = default, at = default, session = default, index = default, frame = default;
        Range frameJson = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = NameOf(ref reader);
            reader.Read();
            switch (name)
            {
                case "direction": direction = FieldValue.At(ref reader); break;
                case "at": at = FieldValue.At(ref reader); break;
                case "session": session = FieldValue.At(ref reader); break;
                case "index": index = FieldValue.At(ref reader); break;
                case "frame":
                    frame = FieldValue.At(ref reader);
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    frameJson = new Range(start, (int)reader.BytesConsumed);
                    break;
            }
            reader.Skip();
        }
        reader.Read();
        return new RecordingLine(direction, at, session, index, frame, frameJson);
    }

    private static string? NameOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("frame"u8) ? "frame"
        : reader.ValueTextEquals("direction"u8) ? "direction"
        : reader.ValueTextEquals("at"u8) ? "at"
        : reader.ValueTextEquals("session"u8) ? "session"
        : reader.ValueTextEquals("index"u8) ? "index"
        : null;
}
