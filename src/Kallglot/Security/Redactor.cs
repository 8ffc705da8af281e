using System.Text.RegularExpressions;

namespace Kallglot.Security;

/// <summary>
/// Removes secrets from text that may leave the client: messages, URLs, recorded frames.
/// Known secret values are replaced wherever they occur; a <c>token=</c> query value is replaced
/// even when its value is not known (a URL the server made up).
/// </summary>
public static partial class Redactor
{
    // After ?, &, ; (and so &amp; in HTML), white space or the start of the text: a query string quoted on its own, or cut from its URL.
    [GeneratedRegex(@"(?<=(?:^|[?&;\s])(?:token|stream_token|access_token|api_key|key)=)[^&#\s""']*", RegexOptions.IgnoreCase)]
    private static partial Regex TokenQueryValue();

    // A credential, not a word: "the bearer of bad news" and "bearer securities." (a transcript's words: a plain word of letters in
    // lower case, capitalised or in capitals, a sentence's full stop after it) keep their words. Known secrets are masked by value
    // wherever they are, whatever they look like.
    [GeneratedRegex(@"(?<=\bBearer\s+)(?!(?-i:[A-Z]?[a-z]+|[A-Z]+)(?![A-Za-z0-9\-_~+/=]|\.[A-Za-z0-9]))[A-Za-z0-9\-._~+/]{8,}=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerValue();

    // sip:user:password@host, a SIP URI's password in its user part (RFC 3261 allows it, and trunks given as URIs carry it).
    [GeneratedRegex(@"(?<=\bsips?:[^:@;/?\s""']+:)[^@/?\s""]+(?=@)", RegexOptions.IgnoreCase)]
    private static partial Regex SipUriPassword();

    /// <summary>Returns <paramref name="text"/> with token query values, bearer values, SIP URI passwords and every one of <paramref name="secrets"/> masked.</summary>
    public static string Redact(string? text, params KallglotSecret?[] secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }
        var result = TokenQueryValue().Replace(text, KallglotSecret.Mask);
        result = BearerValue().Replace(result, KallglotSecret.Mask);
        if (result.Contains("sip", StringComparison.OrdinalIgnoreCase))
        {
            result = SipUriPassword().Replace(result, KallglotSecret.Mask);
        }
        foreach (var secret in secrets)
        {
            if (secret is not null)
            {
                result = result.Replace(secret.Reveal(), KallglotSecret.Mask, StringComparison.Ordinal);
            }
        }
        return result;
    }

    /// <summary>Whether <paramref name="text"/> may hold a token query value, a bearer value or a SIP URI's password: a cheap look before the patterns run.</summary>
    public static bool MayHoldPattern(string text) =>
        text.Contains("token=", StringComparison.OrdinalIgnoreCase)
        || text.Contains("key=", StringComparison.OrdinalIgnoreCase)
        || text.Contains("bearer", StringComparison.OrdinalIgnoreCase)
        || (text.Contains('@') && (text.Contains("sip:", StringComparison.OrdinalIgnoreCase) || text.Contains("sips:", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The same look as <see cref="MayHoldPattern(string)"/> on UTF-8 text, before any string is made of it.</summary>
    internal static bool MayHoldPattern(ReadOnlySpan<byte> utf8) =>
        HasTokenOrKeyAssignment(utf8) || ContainsAsciiIgnoreCase(utf8, "bearer"u8)
        // A SIP URI's password ends at '@', which an event seldom holds: one look for it before any look for the scheme.
        || (utf8.Contains((byte)'@') && (ContainsAsciiIgnoreCase(utf8, "sip:"u8) || ContainsAsciiIgnoreCase(utf8, "sips:"u8)));

    // "token=" and "key=" both end in '=', which an event seldom holds (base64 padding at most), where 't' and 'k' are in
    // nearly every message: one look for '=' serves both, instead of a stop at every t and k of the message.
    private static bool HasTokenOrKeyAssignment(ReadOnlySpan<byte> utf8)
    {
        var from = 0;
        while (true)
        {
            var at = utf8[from..].IndexOf((byte)'=');
            if (at < 0)
            {
                return false;
            }
            var before = utf8[..(from + at)];
            if (EndsWithAsciiIgnoreCase(before, "token"u8) || EndsWithAsciiIgnoreCase(before, "key"u8))
            {
                return true;
            }
            from += at + 1;
        }
    }

    private static bool EndsWithAsciiIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerSuffix) =>
        text.Length >= lowerSuffix.Length && System.Text.Ascii.EqualsIgnoreCase(text[^lowerSuffix.Length..], lowerSuffix);

    // The needles are ASCII, and no other character folds to an ASCII letter of theirs under ordinal-ignore-case:
    // the bytes match exactly when the decoded text would.
    private static bool ContainsAsciiIgnoreCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> lowerNeedle)
    {
        var first = lowerNeedle[0];
        var upperFirst = (byte)char.ToUpperInvariant((char)first);
        while (haystack.Length >= lowerNeedle.Length)
        {
            var at = haystack[..(haystack.Length - lowerNeedle.Length + 1)].IndexOfAny(first, upperFirst);
            if (at < 0)
            {
                return false;
            }
            if (System.Text.Ascii.EqualsIgnoreCase(haystack.Slice(at, lowerNeedle.Length), lowerNeedle))
            {
                return true;
            }
            haystack = haystack[(at + 1)..];
        }
        return false;
    }

    /// <summary>The URL as it may be shown: the token query value and every one of <paramref name="secrets"/> masked.</summary>
    public static string RedactUrl(Uri? url, params KallglotSecret?[] secrets) => url is null ? string.Empty : Redact(url.OriginalString, secrets);
}
