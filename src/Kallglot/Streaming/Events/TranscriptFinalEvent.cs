namespace Kallglot.Streaming.Events;

/// <summary><c>transcript.final</c>: an utterance's final text and, usually, its translation.</summary>
public sealed class TranscriptFinalEvent : KallglotEvent
{
    /// <summary>Who spoke.</summary>
    public string? Speaker { get; internal set; }

    /// <summary>What was said.</summary>
    public string Text { get; internal set; } = string.Empty;

    /// <summary>The translation, when the server sent one.</summary>
    public TranscriptTranslation? Translation { get; internal set; }

    /// <summary>The translated text, or null: a shortcut for tables and Export-Csv.</summary>
    public string? TranslationText => Translation?.Text;

    /// <summary>The utterance id, when the server says.</summary>
    public string? UtteranceId { get; internal set; }

    /// <summary>Language of <see cref="Text"/>, when the server says.</summary>
    public string? SourceLanguage { get; internal set; }

    /// <summary>Start of the utterance in the call, when the server says.</summary>
    public TimeSpan? Start { get; internal set; }

    /// <summary>End of the utterance in the call, when the server says.</summary>
    public TimeSpan? End { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => Translation is null ? $"{Speaker}: {Text}" : $"{Speaker}: {Text} -> {Translation.Text}";
}
