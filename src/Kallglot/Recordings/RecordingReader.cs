using System.Text;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Recordings;

/// <summary>
/// Reads a recording made with -RecordPath back into the events the stream received, one line at a
/// time (memory does not grow with the file): each with its original receive time, session id and
/// index. Frames sent (<c>out</c>) are skipped. A line that cannot be read is reported with its
/// number; a last line cut short (a recording interrupted by a crash) is reported as truncated.
/// </summary>
public static class RecordingReader
{
    /// <summary>The entries of the recording at <paramref name="path"/>, in order.</summary>
    /// <exception cref="KallglotException">The file cannot be opened (<c>recording_unreadable</c>).</exception>
    public static IEnumerable<RecordingEntry> Read(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new KallglotException("recording_unreadable", KallglotErrorKind.File,
                $"The recording '{path}' cannot be read: {exception.Message}", exception);
        }
        return ReadLines(file);
    }

    private static IEnumerable<RecordingEntry> ReadLines(FileStream file)
    {
        using (file)
        {
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 64 * 1024);
            long number = 0;
            long index = 0;
            var line = NextLine(reader, file.Name);
            while (line is not null)
            {
                var next = NextLine(reader, file.Name);
                number++;
                if (!string.IsNullOrWhiteSpace(line))
                {
                    var isLast = next is null;
                    // A last line that cannot be read was cut short: by a crash, or because it is still being written.
                    var entry = ReadLine(line, number, ref index, truncatable: isLast);
                    if (entry is not null)
                    {
                        yield return entry;
                    }
                }
                line = next;
            }
        }
    }

    private static string? NextLine(StreamReader reader, string path)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (IOException exception)
        {
            // A share that went away, a disk error: what was read so far has been delivered.
            throw new KallglotException("recording_unreadable", KallglotErrorKind.File,
                $"The recording '{path}' could not be read to its end ({exception.Message}); the events before this point were read.", exception);
        }
    }

    private static RecordingEntry? ReadLine(string line, long number, ref long index, bool truncatable)
    {
        try
        {
            using var utf8 = PooledUtf8.From(line);
            var bytes = utf8.Span;
            var recorded = RecordingLine.Read(bytes);
            var direction = recorded.Direction.IsString ? recorded.Direction.GetString(bytes) : throw new FormatException("The line has no 'direction' text.");
            if (direction == "out")
            {
                return null;
            }
            var at = recorded.At.IsString ? recorded.At.GetDateTimeOffset(bytes) : throw new FormatException("The line has no 'at' time.");
            var sessionId = recorded.Session.IsString ? recorded.Session.GetString(bytes) : string.Empty;
            index = recorded.Index.TryGetInt64(bytes, out var value) ? value : index + 1;
            // A frame that was valid JSON is read from its bytes as recorded; text that was not is judged as it was live.
            var streamEvent = recorded.Frame.Kind switch
            {
                JsonTokenType.None => throw new FormatException("The line has no 'frame'."),
                JsonTokenType.String => InboundDecoder.Parse(recorded.Frame.GetString(bytes), sessionId, index, at),
                _ => InboundDecoder.Parse(bytes[recorded.FrameJson].ToArray(), sessionId, index, at),
            };
            if (direction == "client")
            {
                streamEvent.FromClient = true;
            }
            return new RecordingEntry(number, streamEvent);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            return new RecordingEntry(number, null, exception.Message, truncatable);
        }
    }
}
