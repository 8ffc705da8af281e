using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.Files;

namespace Kallglot.Streaming;

/// <summary>
/// Appends every frame of a stream to a JSON-lines file: <c>{"at":..., "direction":"in"|"out"|"client", "session":..., "index":..., "frame":{...}}</c>
/// ("client": an event the client raised itself, such as an oversized message skipped or a reconnection).
/// Each line is flushed to the operating system as it is written, so a process that dies loses nothing already received.
/// </summary>
internal sealed class StreamRecorder : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly MemoryStream _line = new();
    private bool _disposed;

    public StreamRecorder(string path, OutputFileMode mode, string sessionId)
    {
        _file = OutputFile.Open(path, mode, "the recording", "record_path_unwritable");
        Path = path;
        _sessionId = sessionId;
    }

    private readonly string _sessionId;

    public string Path { get; }

    /// <summary>
    /// Appends one frame. Events received carry the time they were received and their index, exactly
    /// as the live event had them, so a recording read back gives the same events.
    /// </summary>
    public void Write(string direction, string frame, DateTimeOffset? at = null, long? index = null)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _line.SetLength(0);
            using (var writer = new Utf8JsonWriter(_line, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("at", at ?? DateTimeOffset.UtcNow);
                writer.WriteString("direction", direction);
                writer.WriteString("session", _sessionId);
                if (index is { } number)
                {
                    writer.WriteNumber("index", number);
                }
                writer.WritePropertyName("frame");
                if (LooksLikeJson(frame))
                {
                    try
                    {
                        if (frame.AsSpan().IndexOfAny('\r', '\n') < 0)
                        {
                            // As it came, to the byte: an event read back from the recording has the same Json.
                            writer.WriteRawValue(frame);
                        }
                        else
                        {
                            // Pretty-printed: one line per frame matters more than its spacing.
                            using var document = JsonDocument.Parse(frame);
                            document.RootElement.WriteTo(writer);
                        }
                    }
                    catch (JsonException)
                    {
                        writer.WriteStringValue(frame);
                    }
                }
                else
                {
                    writer.WriteStringValue(frame);
                }
                writer.WriteEndObject();
            }
            _line.WriteByte((byte)'\n');
            try
            {
                _file.Write(_line.GetBuffer(), 0, (int)_line.Length);
                _file.Flush();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                throw new KallglotException("stream_record_failed", KallglotErrorKind.FileWrite,
                    $"The recording '{Path}' could not be written ({exception.Message}); the stream was stopped so that the recording does not silently miss frames. Free space or choose another -RecordPath, then create a new session.", exception);
            }
        }
    }

    private static bool LooksLikeJson(string frame)
    {
        var trimmed = frame.AsSpan().TrimStart();
        return trimmed.Length > 0 && trimmed[0] is '{' or '[';
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                _file.Dispose();
            }
            catch (IOException)
            {
                // The failed write was already reported as stream_record_failed; what it left in the buffer cannot be saved.
            }
            _line.Dispose();
        }
    }
}
