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
            // Not JSON: masked as text, which finds every unescaped form.
            return Redactor.Redact(json, secrets);
        }
        try
        {
            return root is not null && Scrub(root, secrets) ? root.ToJsonString(Relaxed) : json;
        }
        catch (InvalidOperationException)
        {
            // A string .NET cannot hold (a lone surrogate escape): masked as text.
            return Redactor.Redact(json, secrets);
        }
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
