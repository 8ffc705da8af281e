namespace Kallglot.Emulator.Streaming.Outgoing;

/// <summary>What a flood sends.</summary>
internal enum FloodKind
{
    /// <summary>Alternating partials and finals, numbered.</summary>
    Transcripts,
    /// <summary>Translated audio frames of 20 ms, numbered: what a reader that falls behind accumulates most of.</summary>
    AudioOutput,
}
