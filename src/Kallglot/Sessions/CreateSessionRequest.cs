using System.Collections;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kallglot.Errors;
using Kallglot.Security;

namespace Kallglot.Sessions;

/// <summary>
/// The body of <c>POST /v1/sessions</c>. <see cref="Validate"/> refuses what the API would refuse
/// (and what would cost a credit for nothing) before anything is sent.
/// </summary>
public sealed partial class CreateSessionRequest
{
    private static readonly string[] ReservedProperties = ["routing", "source_language", "target_language"];

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();

    /// <summary>A session routed to a phone number in E.164 form, such as <c>+14155550100</c>.</summary>
    public static CreateSessionRequest ForPhoneNumber(string phoneNumber) =>
        new(SessionRoutingKind.PhoneNumber, new Dictionary<string, object?> { ["phone_number"] = phoneNumber?.Trim() });

    /// <summary>A session routed through a carrier connection id.</summary>
    public static CreateSessionRequest ForConnectionId(string connectionId) =>
        new(SessionRoutingKind.ConnectionId, new Dictionary<string, object?> { ["connection_id"] = connectionId?.Trim() });

    /// <summary>A session routed by SIP fields, copied under <c>routing</c> verbatim.</summary>
    public static CreateSessionRequest ForSip(IDictionary sipFields)
    {
        var routing = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in sipFields ?? new Hashtable())
        {
            routing[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = entry.Value;
        }
        return new CreateSessionRequest(SessionRoutingKind.Sip, routing);
    }

    private CreateSessionRequest(SessionRoutingKind routingKind, Dictionary<string, object?> routing)
    {
        RoutingKind = routingKind;
        Routing = routing;
    }

    /// <summary>Which routing kind this request uses.</summary>
    public SessionRoutingKind RoutingKind { get; }

    /// <summary>The fields sent under <c>routing</c>.</summary>
    public IReadOnlyDictionary<string, object?> Routing { get; }

    /// <summary>BCP-47 tag of the caller's language; omitted means the API detects it.</summary>
    public string? SourceLanguage { get; set; }

    /// <summary>BCP-47 tag of the language to translate into; omitted means the API decides.</summary>
    public string? TargetLanguage { get; set; }

    /// <summary>Further top-level fields for API features the module does not name.</summary>
    public IDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>A short description of where the session goes, for confirmations and errors.</summary>
    public string Target => RoutingKind switch
    {
        SessionRoutingKind.PhoneNumber => $"phone number {Routing["phone_number"]}",
        SessionRoutingKind.ConnectionId => $"connection {Routing["connection_id"]}",
                // Shown in -WhatIf and errors: a password in the URI is masked.
        _ => Routing.TryGetValue("sip_uri", out var uri) && uri is not null ? $"SIP {Redactor.Redact(uri.ToString())}" : "SIP routing",
    };

    /// <summary>Refuses a request the API would refuse.</summary>
    /// <exception cref="KallglotValidationException">What is wrong, and how to fix it.</exception>
    public void Validate()
    {
        switch (RoutingKind)
        {
            case SessionRoutingKind.PhoneNumber:
                var phone = Routing["phone_number"] as string;
                if (string.IsNullOrEmpty(phone) || !E164().IsMatch(phone))
                {
                    throw new KallglotValidationException("invalid_phone_number", "PhoneNumber",
                        $"'{phone}' is not a phone number in E.164 form. Write it as + then the country code and number, digits only, for example +14155550100.");
                }
                break;
            case SessionRoutingKind.ConnectionId:
                if (string.IsNullOrEmpty(Routing["connection_id"] as string))
                {
                    throw new KallglotValidationException("invalid_connection_id", "ConnectionId",
                        "The connection id is empty. Give the id of a carrier connection configured for the organization.");
                }
                break;
            case SessionRoutingKind.Sip:
                ValidateSip();
                break;
        }
        ValidateLanguage(SourceLanguage, "SourceLanguage");
        ValidateLanguage(TargetLanguage, "TargetLanguage");
        foreach (var key in AdditionalProperties.Keys)
        {
            if (string.Equals(key, "provider", StringComparison.OrdinalIgnoreCase))
            {
                throw new KallglotValidationException("provider_not_supported", "Property",
                    "The API does not take a 'provider' field: the carrier is chosen by routing. Remove 'provider' from -Property and use -PhoneNumber, -ConnectionId or -Sip.");
            }
            if (ReservedProperties.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new KallglotValidationException("reserved_property", "Property",
                    $"-Property cannot set '{key}': use the cmdlet's own parameter for it (-PhoneNumber, -ConnectionId, -Sip, -SourceLanguage, -TargetLanguage).");
            }
        }
    }

    private void ValidateSip()
    {
        if (Routing.Count == 0)
        {
            throw new KallglotValidationException("invalid_routing", "Sip",
                "The SIP hashtable is empty. Give the SIP fields of the call, for example @{ sip_uri = 'sip:agent@example.com' }.");
        }
        foreach (var key in Routing.Keys)
        {
            if (key is "phone_number" or "connection_id")
            {
                throw new KallglotValidationException("invalid_routing", "Sip",
                    $"The SIP hashtable holds '{key}', a second routing kind. A session has exactly one: use -PhoneNumber, -ConnectionId or -Sip alone.");
            }
            if (string.Equals(key, "provider", StringComparison.OrdinalIgnoreCase))
            {
                throw new KallglotValidationException("provider_not_supported", "Sip",
                    "Routing does not take a 'provider' field. Remove it; the carrier is resolved by the API.");
            }
        }
    }

    private static void ValidateLanguage(string? tag, string parameterName)
    {
        if (tag is not null && !LanguageTag().IsMatch(tag))
        {
            throw new KallglotValidationException("invalid_language", parameterName,
                $"'{tag}' is not a BCP-47 language tag. Use a tag such as 'en', 'es' or 'pt-BR', or leave -{parameterName} out to let Kallglot detect it.");
        }
    }

    /// <summary>The JSON body, as sent.</summary>
    public JsonObject ToJson()
    {
        var body = new JsonObject { ["routing"] = ToNode(Routing) };
        if (SourceLanguage is not null)
        {
            body["source_language"] = SourceLanguage;
        }
        if (TargetLanguage is not null)
        {
            body["target_language"] = TargetLanguage;
        }
        foreach (var (key, value) in AdditionalProperties)
        {
            body[key] = JsonValueConverter.ToNode(value);
        }
        return body;
    }

    private static JsonObject ToNode(IReadOnlyDictionary<string, object?> values)
    {
        var node = new JsonObject();
        foreach (var (key, value) in values)
        {
            node[key] = JsonValueConverter.ToNode(value);
        }
        return node;
    }
}
