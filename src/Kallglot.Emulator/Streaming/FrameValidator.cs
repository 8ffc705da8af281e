using System.Text.Json;

namespace Kallglot.Emulator.Streaming;

/// <summary>Checks one client text frame against the contract: JSON, a known type, and for audio.input every field the API requires.</summary>
internal static class FrameValidator
{
    public static FrameVerdict Validate(ReadOnlySpan<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            return FrameVerdict.Rejected("invalid_json", "The frame is not valid JSON.", null);
        }
        using (document)
        {
            var root = document.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
                ? typeElement.GetString()
                : null;
            long? sequence = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("sequence", out var sequenceElement) && sequenceElement.TryGetInt64(out var s) ? s : null;
            return type switch
            {
                "audio.input" => ValidateAudio(root, sequence),
                "session.end" => FrameVerdict.EndRequested(sequence),
                _ => FrameVerdict.Rejected("unknown_message_type", $"Unknown message type '{type}'. Send audio.input frames.", sequence),
            };
        }
    }

    private static FrameVerdict ValidateAudio(JsonElement root, long? sequence)
    {
        if (sequence is null)
        {
            return FrameVerdict.Rejected("invalid_sequence", "audio.input needs an integer 'sequence'.", null);
        }
        var speaker = root.TryGetProperty("speaker", out var speakerElement) && speakerElement.ValueKind == JsonValueKind.String ? speakerElement.GetString() : null;
        if (string.IsNullOrWhiteSpace(speaker))
        {
            return FrameVerdict.Rejected("invalid_speaker", "audio.input needs a non-empty 'speaker'.", sequence);
        }
        if (!root.TryGetProperty("audio", out var audio) || audio.ValueKind != JsonValueKind.Object)
        {
            return FrameVerdict.Rejected("invalid_payload", "audio.input needs an 'audio' object.", sequence);
        }
        var encoding = audio.TryGetProperty("encoding", out var encodingElement) && encodingElement.ValueKind == JsonValueKind.String ? encodingElement.GetString() : null;
        if (encoding != "mulaw")
        {
            return FrameVerdict.Rejected("unsupported_encoding", $"Encoding '{encoding}' is not supported: send mulaw.", sequence);
        }
        if (!audio.TryGetProperty("sample_rate_hz", out var rateElement) || !rateElement.TryGetInt32(out var rate) || rate != 8000)
        {
            return FrameVerdict.Rejected("unsupported_sample_rate", "Only sample_rate_hz 8000 is supported.", sequence);
        }
        if (!audio.TryGetProperty("payload", out var payloadElement) || payloadElement.ValueKind != JsonValueKind.String || !payloadElement.TryGetBytesFromBase64(out var payload))
        {
            return FrameVerdict.Rejected("invalid_payload", "audio.payload must be base64.", sequence);
        }
        return FrameVerdict.Audio(sequence.Value, speaker, payload);
    }
}
