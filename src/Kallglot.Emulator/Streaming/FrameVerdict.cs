namespace Kallglot.Emulator.Streaming;

/// <summary>The validator's answer for one client frame: the audio it holds, an end request, or why it was rejected.</summary>
internal sealed record FrameVerdict(FrameVerdictKind Kind, long? Sequence, string Speaker = "", byte[]? Payload = null, string ErrorCode = "", string ErrorMessage = "")
{
    public static FrameVerdict Audio(long sequence, string speaker, byte[] payload) => new(FrameVerdictKind.Audio, sequence, speaker, payload);

    public static FrameVerdict EndRequested(long? sequence) => new(FrameVerdictKind.EndRequested, sequence);

    public static FrameVerdict Rejected(string code, string message, long? sequence) => new(FrameVerdictKind.Rejected, sequence, ErrorCode: code, ErrorMessage: message);
}
