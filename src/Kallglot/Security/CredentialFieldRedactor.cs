using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kallglot.Security;

/// <summary>
/// Masks the credentials in an answer whose secrets the client does not know in advance (an endpoint the module does not
/// wrap): every field named as a credential (a name ending in <c>token</c>, <c>secret</c>, <c>password</c>, <c>passwd</c>,
/// <c>api_key</c>, <c>authorization</c> and the like, in any case, with or without separators: <c>stream_token</c>,
/// <c>streamToken</c>, <c>client_secret</c>, <c>sip_passwd</c>)
/// has each string and number under it masked, and each such value of 8 characters or more is masked wherever else it
/// appears, as written or percent-encoded (a stream URL's path or query). A shorter one (<c>"page_token": "2"</c>) is
/// masked in its field only: masked everywhere it would mangle every "2" in the answer.
/// </summary>
public static class CredentialFieldRedactor
{
    private const int LongEnoughToMaskEverywhere = 8;
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The answer with its credentials and <paramref name="secrets"/> masked; the same text when nothing was.</summary>
    public static string Redact(string json, params KallglotSecret?[] secrets) => Redact(json, out _, secrets);

    /// <summary>As <see cref="Redact(string, KallglotSecret?[])"/>, with every secret it masked by (the given ones and those it found), for the answer's headers.</summary>
    public static string Redact(string json, out IReadOnlyList<KallglotSecret> masked, params KallglotSecret?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(json);
        var found = secrets.OfType<KallglotSecret>().ToList();
        masked = found;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return JsonRedactor.Redact(json, secrets);
        }
        using (document)
        {
            try
            {
                Collect(document.RootElement, underCredential: false, found);
                var all = found.ToArray<KallglotSecret?>();
                var buffer = new ArrayBufferWriter<byte>();
                var changed = false;
                using (var writer = new Utf8JsonWriter(buffer, Relaxed))
                {
                    Write(document.RootElement, writer, underCredential: false, all, ref changed);
                }
                return changed ? Encoding.UTF8.GetString(buffer.WrittenSpan) : json;
            }
            catch (InvalidOperationException)
            {
                // A name .NET cannot hold (a lone surrogate escape): masked as text, by every secret found.
                return JsonRedactor.Redact(json, found.ToArray());
            }
        }
    }

    private static void Collect(JsonElement element, bool underCredential, List<KallglotSecret> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, underCredential || IsCredentialName(property.Name), found);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, underCredential, found);
                }
                break;
            case JsonValueKind.String or JsonValueKind.Number when underCredential:
                var text = TextOf(element);
                // A neighbour of the secret (its expiry, a URL) is masked in the field, not throughout the answer.
                if (text.Length >= LongEnoughToMaskEverywhere && !string.IsNullOrWhiteSpace(text)
                    && !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
                    && !IsUrl(text))
                {
                    found.Add(new KallglotSecret(text));
                }
                break;
        }
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer, bool underCredential, KallglotSecret?[] secrets, ref bool changed)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    var name = Redactor.Redact(property.Name, secrets);
                    changed |= name != property.Name;
                    writer.WritePropertyName(name);
                    Write(property.Value, writer, underCredential || IsCredentialName(property.Name), secrets, ref changed);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer, underCredential, secrets, ref changed);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.String or JsonValueKind.Number when underCredential:
                writer.WriteStringValue(KallglotSecret.Mask);
                changed = true;
                break;
            case JsonValueKind.String:
                var text = TextOf(element);
                var masked = Masked(text, secrets);
                changed |= masked != text;
                writer.WriteStringValue(masked);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static string Masked(string text, KallglotSecret?[] secrets)
    {
        var masked = Redactor.Redact(text, secrets);
        if (masked.Contains('%', StringComparison.Ordinal))
        {
            // Percent-encoded by whatever encoder the server used (upper or lower hex, some characters left alone): compared decoded.
            var decoded = Uri.UnescapeDataString(masked);
            var decodedMasked = Redactor.Redact(decoded, secrets);
            if (decodedMasked != decoded)
            {
                return decodedMasked;
            }
        }
        return masked;
    }

    // A string .NET cannot hold (a lone surrogate escape) is taken as written.
    private static string TextOf(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.GetRawText();
        }
        try
        {
            return element.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            return element.GetRawText()[1..^1];
        }
    }

    // The endings of a credential's name, letters and digits only: auth_password, sipPasswd, client_secret, Authorization. Not
    // "auth" or "credentials": such a field may be a table of a user name and a realm, which stay readable (its password is named).
    private static readonly string[] CredentialEndings =
        ["token", "secret", "password", "passwd", "pwd", "passcode", "passphrase", "apikey", "secretkey", "privatekey", "authorization"];

    internal static bool IsCredentialName(string name)
    {
        var letters = new string(name.Where(char.IsLetterOrDigit).ToArray());
        return CredentialEndings.Any(ending => letters.EndsWith(ending, StringComparison.OrdinalIgnoreCase));
    }

    // A neighbour of the secret, such as the stream URL under "stream": masked in its field, not by value everywhere. Only a URL with an
    // authority counts: "v1:abc" and, on Unix, "/abc" are absolute URIs to .NET, and a token may look like either.
    private static bool IsUrl(string text) => text.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.Absolute, out _);
}
