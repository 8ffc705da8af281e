namespace Kallglot.Streaming;

/// <summary>The names of a stream message's fields that the parser reads; any other name is skipped.</summary>
internal enum MessageField
{
    None,
    Type,
    SessionId,
    Speaker,
    Text,
    UtteranceId,
    SourceLanguage,
    Language,
    TargetLanguage,
    Translation,
    StartMs,
    EndMs,
    Reason,
    Audio,
    Payload,
    Encoding,
    SampleRateHz,
    SampleRate,
    Error,
    Code,
    Message,
    GapMs,
    Attempts,
    Reconnects,
    FramesNotSent,
    LostBecause,
}
