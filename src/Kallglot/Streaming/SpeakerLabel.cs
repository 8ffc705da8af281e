using System.Buffers;
using System.Text.Unicode;
using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>The check every speaker label passes before a frame carries it.</summary>
internal static class SpeakerLabel
{
    /// <exception cref="KallglotValidationException">The label is empty, white space, or text that cannot be written as UTF-8 (a lone surrogate).</exception>
    public static void Validate(string? speaker)
    {
        if (string.IsNullOrWhiteSpace(speaker))
        {
            throw new KallglotValidationException("invalid_speaker", "Speaker", "The speaker label is empty. Give a label such as 'caller' or 'agent'.");
        }
        Span<byte> utf8 = stackalloc byte[256];
        var remaining = speaker.AsSpan();
        while (!remaining.IsEmpty)
        {
            var status = Utf8.FromUtf16(remaining, utf8, out var read, out _, replaceInvalidSequences: false);
            if (status == OperationStatus.InvalidData)
            {
                throw new KallglotValidationException("invalid_speaker", "Speaker",
                    "The speaker label holds a broken character (half of a surrogate pair), which JSON cannot carry. Give a label such as 'caller' or 'agent'.");
            }
            remaining = remaining[read..];
        }
    }
}
