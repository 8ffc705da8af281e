using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>WebVTT: the speaker as a voice span, the translation on its own line.</summary>
internal sealed class VttTranscriptWriter(TextWriter output) : TranscriptWriter(output)
{
    protected override void WriteHeader(TextWriter output)
    {
        output.WriteLine("WEBVTT");
        output.WriteLine();
    }

    protected override void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end)
    {
        output.WriteLine($"{Clock(start, '.')} --> {Clock(end, '.')}");
        output.WriteLine(final.Speaker is null ? Escape(final.Text) : $"<v {Escape(final.Speaker)}>{Escape(final.Text)}");
        if (final.TranslationText is { } translation)
        {
            output.WriteLine(Escape(translation));
        }
        output.WriteLine();
    }

    private static string Escape(string text) => OneLine(text).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
