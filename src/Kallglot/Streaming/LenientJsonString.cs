using System.Buffers.Text;
using System.Text;

namespace Kallglot.Streaming;

/// <summary>
/// A JSON string's text where System.Text.Json makes none: a lone surrogate escape, as a JavaScript or Python server writes
/// a transcript cut between the two halves of an emoji (<c>JSON.stringify</c> and <c>json.dumps</c> both escape the half
/// left), is read as U+FFFD, as a decoder reads any broken character, instead of losing the whole event.
/// </summary>
internal static class LenientJsonString
{
    /// <summary>
    /// The text of a string token's content (its quotes left out), which <c>Utf8JsonReader</c> has already read, so its
    /// escapes are well formed; null when its bytes are not UTF-8, which stays a refusal.
    /// </summary>
    public static string? Unescape(ReadOnlySpan<byte> content)
    {
        var text = new StringBuilder(content.Length);
        while (true)
        {
            var backslash = content.IndexOf((byte)'\\');
            var plain = backslash < 0 ? content : content[..backslash];
            try
            {
                text.Append(StrictUtf8.Encoding.GetString(plain));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
            if (backslash < 0)
            {
                break;
            }
            var escape = content[backslash + 1];
            if (escape == (byte)'u')
            {
                Utf8Parser.TryParse(content.Slice(backslash + 2, 4), out ushort unit, out _, 'X');
                text.Append((char)unit);
                content = content[(backslash + 6)..];
                continue;
            }
            text.Append(escape switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                _ => (char)escape,
            });
            content = content[(backslash + 2)..];
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                text[i] = '\uFFFD';
            }
        }
        return text.ToString();
    }
}
