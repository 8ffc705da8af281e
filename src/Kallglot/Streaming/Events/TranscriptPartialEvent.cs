namespace Kallglot.Streaming.Events;

/// <summary><c>transcript.partial</c>: the words of an utterance so far; a later partial or the final replaces it.</summary>
public sealed class TranscriptPartialEvent : KallglotEvent
{
    /// <summary>Who is speaking.</summary>
    public string? Speaker { get; internal set; }

    /// <summary>The text so far.</summary>
    public string Text { get; internal set; } = string.Empty;

    /// <summary>The utterance this belongs to, when the server says.</summary>
    public string? UtteranceId { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"[partial] {Speaker}: {Text}";
}
