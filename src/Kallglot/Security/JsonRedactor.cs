using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kallglot.Security;

/// <summary>
/// Masks secrets in JSON text by value: strings are compared once unescaped, so a token a server's
/// encoder wrote escaped (<c>\/</c>, <c>\u002B</c>) is found as surely as a plain one. Text that
/// cannot hold a secret is returned as it is, without parsing: this runs on every stream event.
/// </summary>
public static class JsonRedactor
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
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool MayHoldSecret(ReadOnlySpan<byte> utf8Json, ReadOnlySpan<byte[]> secretsUtf8)
    {
        // A span, not a list: enumerating an array through an interface allocates, once per message received.
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
