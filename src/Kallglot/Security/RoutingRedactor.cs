using System.Collections;

namespace Kallglot.Security;

/// <summary>
/// Masks the credentials a session's routing may carry (a SIP trunk's password, a token), by
/// <see cref="CredentialFieldRedactor"/>'s rule: every string and number under a field named as a
/// credential becomes <c>***</c> (tables and lists under it are walked, true and false kept), and every
/// other string has its SIP URI password and token patterns masked. The routing is the user's own
/// input or the API's echo of it: shown on the session, written to the ledger, it keeps each field's
/// name and shape, not a secret's value.
/// </summary>
public static class RoutingRedactor
{
    /// <summary>A copy of <paramref name="routing"/> with its credentials masked.</summary>
    public static Dictionary<string, object?> Redact(IEnumerable<KeyValuePair<string, object?>> routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        return Redact(routing, underCredential: false);
    }

    private static Dictionary<string, object?> Redact(IEnumerable<KeyValuePair<string, object?>> fields, bool underCredential)
    {
        var masked = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            masked[name] = RedactValue(value, underCredential || CredentialFieldRedactor.IsCredentialName(name));
        }
        return masked;
    }

    private static object? RedactValue(object? value, bool underCredential) => value switch
    {
        null or bool => value,
        string or int or long or double or decimal or float or short or byte when underCredential => KallglotSecret.Mask,
        string text => Redactor.Redact(text),
        IEnumerable<KeyValuePair<string, object?>> nested => Redact(nested, underCredential),
        IDictionary nested => Redact(nested.Keys.Cast<object>().Select(key => new KeyValuePair<string, object?>(key.ToString() ?? string.Empty, nested[key])), underCredential),
        IEnumerable items => items.Cast<object?>().Select(item => RedactValue(item, underCredential)).ToArray(),
        _ when underCredential => KallglotSecret.Mask,
        _ => value,
    };
}
