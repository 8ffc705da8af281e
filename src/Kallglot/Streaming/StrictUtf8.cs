using System.Text;

namespace Kallglot.Streaming;

/// <summary>UTF-8 that throws on text it cannot encode or decode: a message that is not what the server sent is refused, not given U+FFFD in place of what it held.</summary>
internal static class StrictUtf8
{
    public static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
