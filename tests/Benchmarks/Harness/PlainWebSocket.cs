using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Kallglot.Benchmarks.Harness;

/// <summary>What the plain C# baselines share: reading one whole message into a buffer and writing an audio frame, no library in between.</summary>
internal static class PlainWebSocket
{
    public static async Task<int> ReceiveMessageAsync(ClientWebSocket socket, byte[] buffer)
    {
        var received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(received), CancellationToken.None);
            received += result.Count;
        }
        while (!result.EndOfMessage);
        return received;
    }

    /// <summary>Writes one 20 ms audio.input frame into <paramref name="buffer"/> through <paramref name="writer"/> (both reused); returns the frame.</summary>
    public static ReadOnlyMemory<byte> WriteAudioFrame(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, long sequence, ReadOnlySpan<byte> payload)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("type", "audio.input");
        writer.WriteNumber("sequence", sequence);
        writer.WriteNumber("timestamp_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        writer.WriteString("speaker", "caller");
        writer.WriteStartObject("audio");
        writer.WriteString("encoding", "mulaw");
        writer.WriteNumber("sample_rate_hz", 8000);
        writer.WriteBase64String("payload", payload);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>The start of every module script: import, then a session and its stream against the emulator.</summary>
    public const string ModuleScriptPrologue = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:KG_MODULE
        $key = ConvertTo-SecureString $env:KG_KEY -AsPlainText -Force
        function New-BenchmarkStream { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $env:KG_BASE -ApiKey $key | Connect-KallglotStream }

        """;
}
