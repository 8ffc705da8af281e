using System.Text.RegularExpressions;
using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>SubRip: a numbered cue per utterance, the speaker's words, then the translation on its own line.</summary>
internal sealed partial class SrtTranscriptWriter(TextWriter output) : TranscriptWriter(output)
{
    protected override void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end)
    {
        output.WriteLine(number);
        output.WriteLine($"{Clock(start, ',')} --> {Clock(end, ',')}");
        output.WriteLine(Words(final.Speaker is null ? final.Text : $"{final.Speaker}: {final.Text}"));
        if (final.TranslationText is { } translation)
        {
            output.WriteLine(Words(translation));
        }
        output.WriteLine();
    }

    // An arrow in the words could be taken for a timing line by a player.
    private static string Words(string text)
    {
        var line = OneLine(text);
        return line.Contains("-->", StringComparison.Ordinal) ? Arrows().Replace(line, "->") : line;
    }

    [GeneratedRegex("-{2,}>")]
    private static partial Regex Arrows();
}
