using System.Globalization;
using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>CSV as Import-Csv and spreadsheets read it: a header row, every field quoted.</summary>
internal sealed class CsvTranscriptWriter(TextWriter output) : TranscriptWriter(output)
{
    protected override void WriteHeader(TextWriter output) => output.WriteLine("\"ReceivedAt\",\"Start\",\"End\",\"Speaker\",\"Text\",\"Translation\",\"Language\"");

    protected override void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end) =>
        output.WriteLine(string.Join(',', new[]
        {
            final.ReceivedAt.ToString("O", CultureInfo.InvariantCulture),
            Clock(start, '.'),
            Clock(end, '.'),
            final.Speaker ?? string.Empty,
            final.Text,
            final.TranslationText ?? string.Empty,
            final.Translation?.Language ?? string.Empty,
        }.Select(field => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")));
}
