using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kallglot.Security;

/// <summary>
/// Masks secrets in JSON text by value: strings are compared once unescaped, so a token a server's
/// encoder wrote escaped (<c>\/</c>, <c>\u002B</c>) is found as surely as a plain one. Text that
/// cannot hold a secret is returned as it is, without parsing: this runs on every stream event.
/// </summary>
public static partial class JsonRedactor
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The same text when it holds no secret; otherwise the JSON with every secret-bearing string masked.</summary>
    public static string Redact(string json, params KallglotSecret?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!MayHoldSecret(json, secrets))
        {
            return json;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            // Not JSON: masked as text, in every form a JSON encoder could have written the secret.
            return RedactTextForms(json, secrets);
        }
        try
        {
            return root is not null && Scrub(root, secrets) ? root.ToJsonString(Relaxed) : json;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // A string .NET cannot hold (a lone surrogate escape), a key given twice: masked as text.
            return RedactTextForms(json, secrets);
        }
    }

    /// <summary>
    /// Masks, besides <paramref name="secrets"/>, every field named as a credential (a name ending in <c>token</c>,
    /// <c>secret</c>, <c>password</c> or <c>api_key</c>, in any case and with or without separators: <c>stream_token</c>,
    /// <c>streamToken</c>, <c>client_secret</c>): its value, and wherever else that value appears (a stream URL's path or
    /// query, as written or percent-encoded) when it is long enough not to be mistaken for other text. For responses
    /// whose secrets the client does not know in advance.
    /// </summary>
    public static string RedactCredentialFields(string json, params KallglotSecret?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return Redact(json, secrets);
        }
        if (root is null)
        {
            return json;
        }
        try
        {
            var found = new List<KallglotSecret?>(secrets);
            var masked = MaskCredentialFields(root, found);
            masked |= Scrub(root, found.ToArray());
            return masked ? root.ToJsonString(Relaxed) : json;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // A key given twice, a string .NET cannot hold (a lone surrogate escape): the fields are masked as text.
            var found = new List<KallglotSecret?>(secrets);
            var fieldsMasked = CredentialFieldValue().Replace(json, match =>
            {
                if (!IsCredentialName(match.Groups["name"].Value))
                {
                    return match.Value;
                }
                CollectLongValues(JsonValue.Create(match.Groups["value"].Value), found);
                return match.Value[..(match.Groups["value"].Index - match.Index)] + KallglotSecret.Mask + "\"";
            });
            return RedactTextForms(fieldsMasked, found.ToArray());
        }
    }

    [GeneratedRegex("""
        "(?<name>[^"\\]*)"\s*:\s*"(?<value>(?:[^"\\]|\\.)*)"
        """)]
    private static partial Regex CredentialFieldValue();

    // Masks each credential field's value in place (every string and number under it), collecting those long enough to be
    // masked wherever else they appear; a short one ("page_token": "2") would mask every "2" in the answer.
    private static bool MaskCredentialFields(JsonNode node, List<KallglotSecret?> found)
    {
        var masked = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToArray())
                {
                    if (child is null)
                    {
                        continue;
                    }
                    if (IsCredentialName(name))
                    {
                        CollectLongValues(child, found);
                        obj[name] = MaskedCopy(child);
                        masked = true;
                    }
                    else
                    {
                        masked |= MaskCredentialFields(child, found);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        masked |= MaskCredentialFields(item, found);
                    }
                }
                break;
        }
        return masked;
    }

    private static JsonNode? MaskedCopy(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(pair => KeyValuePair.Create(pair.Key, pair.Value is null ? null : MaskedCopy(pair.Value)))),
        JsonArray array => new JsonArray(array.Select(item => item is null ? null : MaskedCopy(item)).ToArray()),
        JsonValue value when value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number => JsonValue.Create(KallglotSecret.Mask),
        _ => node.DeepClone(),
    };

    private const int LongEnoughToMaskEverywhere = 8;

    private static void CollectLongValues(JsonNode node, List<KallglotSecret?> found)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        CollectLongValues(child, found);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        CollectLongValues(item, found);
                    }
                }
                break;
            case JsonValue value:
                var text = value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.Number => value.ToJsonString(),
                    _ => null,
                };
                if (text is { Length: >= LongEnoughToMaskEverywhere } && !string.IsNullOrWhiteSpace(text))
                {
                    found.Add(new KallglotSecret(text));
                    if (Uri.EscapeDataString(text) is var escaped && escaped != text)
                    {
                        // As a URL carries it: a base64 token's + and / percent-encoded.
                        found.Add(new KallglotSecret(escaped));
                    }
                }
                break;
        }
    }

    private static bool IsCredentialName(string name)
    {
        var normalized = new string(name.Where(char.IsLetterOrDigit).ToArray());
        return normalized.EndsWith("token", StringComparison.OrdinalIgnoreCase)
            || normalized.EndsWith("secret", StringComparison.OrdinalIgnoreCase)
            || normalized.EndsWith("password", StringComparison.OrdinalIgnoreCase)
            || normalized.EndsWith("apikey", StringComparison.OrdinalIgnoreCase)
            || normalized.EndsWith("secretkey", StringComparison.OrdinalIgnoreCase)
            || normalized.EndsWith("privatekey", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Masks each secret as it is and as JSON encoders escape it (<c>\uXXXX</c> in either case, <c>\/</c>), plus the patterns.</summary>
    private static string RedactTextForms(string text, KallglotSecret?[] secrets)
    {
        var result = Redactor.Redact(text, secrets);
        foreach (var secret in secrets)
        {
            if (secret is null)
            {
                continue;
            }
            var value = secret.Reveal();
            var strict = JsonEncodedText.Encode(value, JavaScriptEncoder.Default).Value;
            foreach (var form in new[] { strict, strict.Replace("/", "\\/", StringComparison.Ordinal), value.Replace("/", "\\/", StringComparison.Ordinal) }.Distinct())
            {
                if (form.Length > 0)
                {
                    result = result.Replace(form, KallglotSecret.Mask, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
        return result;
    }

    /// <summary>Masks secrets in every string value of <paramref name="node"/> in place; true when anything was masked.</summary>
    public static bool Scrub(JsonNode node, params KallglotSecret?[] secrets)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(pair => pair.Key).ToArray())
                {
                    var maskedName = Redactor.Redact(name, secrets);
                    if (maskedName != name)
                    {
                        // A secret used as a key is masked too.
                        var value = obj[name];
                        obj.Remove(name);
                        obj[maskedName] = value;
                        changed = true;
                        if (value is null)
                        {
                            continue;
                        }
                        changed |= Scrub(value, secrets);
                        continue;
                    }
                    if (obj[name] is not { } child)
                    {
                        continue;
                    }
                    if (MaskedString(child, secrets) is { } masked)
                    {
                        obj[name] = masked;
                        changed = true;
                    }
                    else
                    {
                        changed |= Scrub(child, secrets);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not { } item)
                    {
                        continue;
                    }
                    if (MaskedString(item, secrets) is { } masked)
                    {
                        array[i] = masked;
                        changed = true;
                    }
                    else
                    {
                        changed |= Scrub(item, secrets);
                    }
                }
                break;
        }
        return changed;
    }

    private static string? MaskedString(JsonNode node, KallglotSecret?[] secrets)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return null;
        }
        var masked = Redactor.Redact(text, secrets);
        return ReferenceEquals(masked, text) || masked == text ? null : masked;
    }

    /// <summary>
    /// Whether UTF-8 JSON may hold a secret (an escape, a token or bearer pattern, or one of the secrets,
    /// given as UTF-8): when false, the text needs no masking and no string need be made of it.
    /// </summary>
    internal static bool MayHoldSecret(ReadOnlySpan<byte> utf8Json, IReadOnlyList<byte[]> secretsUtf8)
    {
        ArgumentNullException.ThrowIfNull(secretsUtf8);
        if (utf8Json.Contains((byte)'\\') || Redactor.MayHoldPattern(utf8Json))
        {
            return true;
        }
        foreach (var secret in secretsUtf8)
        {
            if (secret.Length > 0 && utf8Json.IndexOf(secret) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    private static bool MayHoldSecret(string json, KallglotSecret?[] secrets)
    {
        if (json.Contains('\\') || Redactor.MayHoldPattern(json))
        {
            return true;
        }
        foreach (var secret in secrets)
        {
            if (secret is not null && json.Contains(secret.Reveal(), StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
