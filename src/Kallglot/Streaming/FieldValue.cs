using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kallglot.Streaming;

/// <summary>
/// Where one value of a stream message sits, found in the parser's one pass and read only if the
/// event's type asks for it. Strings are read with System.Text.Json's own reader, so text .NET
/// cannot make a string of fails as it does for a <see cref="JsonElement"/>.
/// </summary>
internal readonly struct FieldValue
{
    private readonly int _start;
    private readonly int _length;
    private readonly bool _escaped;

    private FieldValue(JsonTokenType kind, int start, int length, bool escaped)
    {
        Kind = kind;
        _start = start;
        _length = length;
        _escaped = escaped;
    }

    /// <summary>The value's token; <see cref="JsonTokenType.None"/> when the message does not hold the field.</summary>
    public JsonTokenType Kind { get; }

    public bool IsPresent => Kind != JsonTokenType.None;

    public bool IsObject => Kind == JsonTokenType.StartObject;

    public bool IsString => Kind == JsonTokenType.String;

    /// <summary>The value the reader is on. An object or array is marked by its kind only: the parser reads into it, or skips it.</summary>
    public static FieldValue At(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject or JsonTokenType.StartArray => new FieldValue(reader.TokenType, 0, 0, escaped: false),
        // A string's value span leaves out its quotes; the token kept holds them, so that it can be read again on its own.
        JsonTokenType.String => new FieldValue(JsonTokenType.String, (int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, reader.ValueIsEscaped),
        _ => new FieldValue(reader.TokenType, (int)reader.TokenStartIndex, reader.ValueSpan.Length, escaped: false),
    };

    /// <summary>A string value's text, read as <see cref="JsonElement.GetString"/> reads it, a lone surrogate escape as U+FFFD (<see cref="LenientJsonString"/>).</summary>
    /// <exception cref="InvalidOperationException">The text cannot be made a string (bytes that are not UTF-8).</exception>
    public string GetString(ReadOnlySpan<byte> message)
    {
        if (!_escaped)
        {
            try
            {
                return StrictUtf8.Encoding.GetString(message.Slice(_start + 1, _length - 2));
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8: System.Text.Json's reader says so in its own words, below.
            }
        }
        try
        {
            return Open(message).GetString()!;
        }
        catch (InvalidOperationException) when (LenientJsonString.Unescape(message.Slice(_start + 1, _length - 2)) is { } lenient)
        {
            return lenient;
        }
    }

    /// <summary>A string as itself, a number as written, anything else none.</summary>
    public string? Text(ReadOnlySpan<byte> message) => Kind switch
    {
        JsonTokenType.String => GetString(message),
        JsonTokenType.Number => Encoding.UTF8.GetString(message.Slice(_start, _length)),
        _ => null,
    };

    /// <summary>A finite number, given as a number or as a string that holds one.</summary>
    public double? Number(ReadOnlySpan<byte> message)
    {
        if (Kind == JsonTokenType.Number && Open(message).TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }
        return Kind == JsonTokenType.String && double.TryParse(GetString(message), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)
            ? parsed
            : null;
    }

    /// <summary>Whether a string value's text, unescaped, is <paramref name="utf8"/>.</summary>
    public bool ValueEquals(ReadOnlySpan<byte> message, ReadOnlySpan<byte> utf8) =>
        _escaped ? EscapedValueEquals(message, utf8, null) : message.Slice(_start + 1, _length - 2).SequenceEqual(utf8);

    /// <summary>Whether a string value's text, unescaped, is <paramref name="text"/>.</summary>
    public bool ValueEquals(ReadOnlySpan<byte> message, string text) =>
        !_escaped && Ascii.IsValid(text)
            ? Ascii.Equals(message.Slice(_start + 1, _length - 2), text)
            : EscapedValueEquals(message, default, text);

    // A lone surrogate escape makes System.Text.Json's comparison throw once it reaches it; such a value is none of the names
    // and ids compared (they are valid text), and GetString reads it with U+FFFD.
    private bool EscapedValueEquals(ReadOnlySpan<byte> message, ReadOnlySpan<byte> utf8, string? text)
    {
        try
        {
            return text is null ? Open(message).ValueTextEquals(utf8) : Open(message).ValueTextEquals(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string value's date and time in ISO 8601, as <see cref="JsonElement.GetDateTimeOffset"/> reads it.</summary>
    /// <exception cref="FormatException">The string is not such a date and time.</exception>
    public DateTimeOffset GetDateTimeOffset(ReadOnlySpan<byte> message) => Open(message).GetDateTimeOffset();

    /// <summary>A number value that is a whole number in range, as <see cref="JsonElement.TryGetInt64"/> reads it.</summary>
    public bool TryGetInt64(ReadOnlySpan<byte> message, out long number)
    {
        number = 0;
        return Kind == JsonTokenType.Number && Open(message).TryGetInt64(out number);
    }

    public bool TryGetBytesFromBase64(ReadOnlySpan<byte> message, [NotNullWhen(true)] out byte[]? bytes) => Open(message).TryGetBytesFromBase64(out bytes);

    private Utf8JsonReader Open(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message.Slice(_start, _length));
        reader.Read();
        return reader;
    }
}
