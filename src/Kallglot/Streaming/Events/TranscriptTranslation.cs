namespace Kallglot.Streaming.Events;

/// <summary>The translation that comes with a final transcript.</summary>
/// <param name="Text">The translated text.</param>
/// <param name="Language">The language it is in, when the server says.</param>
public sealed record TranscriptTranslation(string Text, string? Language)
{
    /// <inheritdoc />
    public override string ToString() => Text;
}
