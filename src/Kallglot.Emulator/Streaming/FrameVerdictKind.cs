namespace Kallglot.Emulator.Streaming;

/// <summary>What a client frame turned out to be.</summary>
internal enum FrameVerdictKind
{
    /// <summary>A valid audio.input frame.</summary>
    Audio,
    /// <summary>session.end: the client asks to end the session.</summary>
    EndRequested,
    /// <summary>Invalid: answered with an error event.</summary>
    Rejected,
}
