using System.Buffers;
using System.Text.Json;

namespace Kallglot.Streaming;

/// <summary>Writes <c>audio.input</c> frames as UTF-8 JSON straight into a reusable buffer: the send path's only allocation is the buffer's growth.</summary>
internal sealed class AudioFrameWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private Utf8JsonWriter? _writer;

    public ReadOnlyMemory<byte> Write(long sequence, long timestampMs, string speaker, string encoding, int sampleRateHz, ReadOnlySpan<byte> payload)
    {
        _buffer.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer);
        }
        else
        {
            _writer.Reset(_buffer);
        }
        var writer = _writer;
        writer.WriteStartObject();
        writer.WriteString("type"u8, "audio.input"u8);
        writer.WriteNumber("sequence"u8, sequence);
        writer.WriteNumber("timestamp_ms"u8, timestampMs);
        writer.WriteString("speaker"u8, speaker);
        writer.WriteStartObject("audio"u8);
        writer.WriteString("encoding"u8, encoding);
        writer.WriteNumber("sample_rate_hz"u8, sampleRateHz);
        writer.WriteBase64String("payload"u8, payload);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return _buffer.WrittenMemory;
    }
}
