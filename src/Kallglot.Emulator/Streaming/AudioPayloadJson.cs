using System.Text.Json;

namespace Kallglot.Emulator.Streaming;

/// <summary>The <c>audio</c> object of an <c>audio.output</c> event: 8 kHz mu-law, base64.</summary>
internal static class AudioPayloadJson
{
    public static void Write(Utf8JsonWriter writer, byte[] mulaw)
    {
        writer.WriteStartObject("audio");
        writer.WriteString("encoding", "mulaw");
        writer.WriteNumber("sample_rate_hz", 8000);
        writer.WriteBase64String("payload", mulaw);
        writer.WriteEndObject();
    }
}
