using System.Globalization;
using System.Text.RegularExpressions;
using Kallglot.Errors;
using Kallglot.Files;
using Kallglot.Streaming.Events;

namespace Kallglot.Transcripts;

/// <summary>
/// Writes final transcripts to a file as they arrive, one entry at a time and flushed, so a
/// transcript being written during a call is readable (and complete so far) at any moment.
/// </summary>
public abstract partial class TranscriptWriter : IDisposable
{
    private static readonly TimeSpan AssumedUtterance = TimeSpan.FromSeconds(2);
    private readonly TextWriter _output;
    private DateTimeOffset? _firstReceivedAt;
    private TimeSpan _previousEnd;
    // A time past this is no place in a call but a moment in Unix time (the notes time audio.input by the epoch): such a server's
    // times count from the first of them, so the transcript starts at its first words instead of 56 years in.
    private static readonly TimeSpan EpochTimesFrom = TimeSpan.FromMilliseconds(1e11);
    private TimeSpan? _epochOrigin;

    /// <summary>Creates a writer over <paramref name="output"/>, which it disposes.</summary>
    protected TranscriptWriter(TextWriter output)
    {
        _output = output;
    }

    /// <summary>Entries written so far.</summary>
    public int Count { get; private set; }

    /// <summary>The format for a file name's extension, or null when the extension names none.</summary>
    public static TranscriptFormat? FormatFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".srt" => TranscriptFormat.Srt,
        ".vtt" => TranscriptFormat.Vtt,
        ".csv" => TranscriptFormat.Csv,
        ".jsonl" or ".ndjson" => TranscriptFormat.Jsonl,
        ".txt" or ".log" => TranscriptFormat.Txt,
        _ => null,
    };

    /// <summary>
    /// Opens <paramref name="path"/> and a writer of <paramref name="format"/> over it. An existing file is
    /// refused unless <paramref name="mode"/> replaces or appends; appending continues it (no second header,
    /// SubRip cues numbered on from the last).
    /// </summary>
    /// <exception cref="KallglotException">The file exists (<c>output_file_exists</c>) or cannot be written.</exception>
    public static TranscriptWriter Create(string path, TranscriptFormat format, OutputFileMode mode = OutputFileMode.CreateNew)
    {
        var existingEntries = mode == OutputFileMode.Append && File.Exists(path) ? CountEntries(path, format) : (int?)null;
        var file = OutputFile.Open(path, mode, "the transcript", "transcript_unwritable");
        var output = new StreamWriter(file, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        TranscriptWriter writer = format switch
        {
            TranscriptFormat.Srt => new SrtTranscriptWriter(output),
            TranscriptFormat.Vtt => new VttTranscriptWriter(output),
            TranscriptFormat.Csv => new CsvTranscriptWriter(output),
            TranscriptFormat.Jsonl => new JsonLinesTranscriptWriter(output),
            _ => new TextTranscriptWriter(output),
        };
        if (existingEntries is { } entries && file.Length > 0)
        {
            writer.Count = entries;
        }
        else
        {
            writer.WriteHeader(output);
        }
        output.Flush();
        return writer;
    }

    /// <summary>Entries already in a transcript file being appended to, so numbering goes on from them.</summary>
    private static int CountEntries(string path, TranscriptFormat format)
    {
        try
        {
            return format == TranscriptFormat.Srt ? File.ReadLines(path).Count(line => line.Contains(" --> ", StringComparison.Ordinal)) : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Writes one final transcript and flushes it to the file.</summary>
    public void Write(TranscriptFinalEvent final)
    {
        ArgumentNullException.ThrowIfNull(final);
        var (start, end) = Timing(final);
        Count++;
        WriteEntry(_output, Count, final, start, end);
        _output.Flush();
    }

    /// <summary>Writes what the format puts before the first entry.</summary>
    protected virtual void WriteHeader(TextWriter output)
    {
    }

    /// <summary>Writes one entry.</summary>
    protected abstract void WriteEntry(TextWriter output, int number, TranscriptFinalEvent final, TimeSpan start, TimeSpan end);

    /// <summary>
    /// The utterance's place in the call: the server's start/end when it gave them, else estimated
    /// from when the final arrived (the utterance ended then) and the previous utterance's end.
    /// </summary>
    private (TimeSpan Start, TimeSpan End) Timing(TranscriptFinalEvent final)
    {
        _firstReceivedAt ??= final.ReceivedAt;
        TimeSpan start, end;
        if (final.Start is { } serverStart && final.End is { } serverEnd && serverEnd >= serverStart)
        {
            if (serverStart >= EpochTimesFrom)
            {
                _epochOrigin ??= serverStart;
                (serverStart, serverEnd) = (serverStart - _epochOrigin.Value, serverEnd - _epochOrigin.Value);
            }
            // A negative time is no place in a call: a player refuses a cue that begins before it.
            (start, end) = (serverStart < TimeSpan.Zero ? TimeSpan.Zero : serverStart, serverEnd < TimeSpan.Zero ? TimeSpan.Zero : serverEnd);
        }
        else
        {
            end = final.ReceivedAt - _firstReceivedAt.Value + AssumedUtterance;
            start = end - AssumedUtterance < _previousEnd ? _previousEnd : end - AssumedUtterance;
        }
        _previousEnd = end;
        return (start, end);
    }

    /// <summary>
    /// <paramref name="text"/> on one line: a line break inside a transcript (a blank line ends a subtitle cue early, a line
    /// of the plain text would lose its speaker) becomes a space.
    /// </summary>
    protected static string OneLine(string text) =>
        text.AsSpan().IndexOfAny("\r\n\u0085\u2028\u2029") < 0 ? text : LineBreaks().Replace(text, " ");

    [GeneratedRegex(@"\s*[\r\n\u0085\u2028\u2029]+\s*")]
    private static partial Regex LineBreaks();

    /// <summary>hh:mm:ss with the given separator before milliseconds.</summary>
    protected static string Clock(TimeSpan time, char millisecondSeparator) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}{millisecondSeparator}{time.Milliseconds:000}");

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the file.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _output.Dispose();
        }
    }
}
