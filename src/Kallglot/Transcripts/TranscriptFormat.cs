namespace Kallglot.Transcripts;

/// <summary>The file formats a transcript can be written in.</summary>
public enum TranscriptFormat
{
    /// <summary>SubRip subtitles (.srt).</summary>
    Srt,
    /// <summary>WebVTT subtitles (.vtt), speakers as voice spans.</summary>
    Vtt,
    /// <summary>Comma-separated values (.csv) with a header row.</summary>
    Csv,
    /// <summary>One JSON object per line (.jsonl).</summary>
    Jsonl,
    /// <summary>Plain text (.txt), one line per utterance and its translation below.</summary>
    Txt,
}
