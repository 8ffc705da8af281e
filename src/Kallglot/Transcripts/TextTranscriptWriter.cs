using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>Plain text for people: "[00:00:03] caller: Hello", the translation indented below.</summary>
internal sealed class TextTranscriptWriter(TextWriter output) : TranscriptWriter(output)
{
    protected override void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end)
    {
        output.WriteLine($"[{Clock(start, '.')[..8]}] {(final.Speaker is null ? string.Empty : OneLine(final.Speaker) + ": ")}{OneLine(final.Text)}");
        if (final.TranslationText is { } translation)
        {
            output.WriteLine($"    -> {OneLine(translation)}");
        }
    }
}
