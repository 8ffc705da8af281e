using System.Text.Encodings.Web;
using System.Text.Json;
using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>One JSON object per utterance and line, for jq, log shippers and ConvertFrom-Json.</summary>
internal sealed class JsonLinesTranscriptWriter(TextWriter output) : TranscriptWriter(output)
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected override void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end) =>
        output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["session_id"] = final.SessionId,
            ["received_at"] = final.ReceivedAt,
            ["start_ms"] = (long)start.TotalMilliseconds,
            ["end_ms"] = (long)end.TotalMilliseconds,
            ["speaker"] = final.Speaker,
            ["text"] = final.Text,
            ["translation"] = final.TranslationText,
            ["language"] = final.Translation?.Language,
        }, Options));
}
