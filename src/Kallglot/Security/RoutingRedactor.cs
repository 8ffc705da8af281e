using System.Collections;

namespace Kallglot.Security;

/// <summary>
/// Masks the credentials a session's routing may carry (a SIP trunk's password, a token): every field
/// named as a credential (<see cref="CredentialFieldRedactor"/>'s rule) becomes <c>***</c>, and every
/// string anywhere under it, in nested tables and in lists, has its SIP URI password and token
/// patterns masked. The routing is the user's own input or the API's echo of it: shown on the
/// session, written to the ledger, it keeps each field's name, not a secret's value.
/// </summary>
public static class RoutingRedactor
{
    /// <summary>A copy of <paramref name="routing"/> with its credentials masked.</summary>
    public static Dictionary<string, object?> Redact(IEnumerable<KeyValuePair<string, object?>> routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        var masked = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in routing)
        {
            masked[name] = CredentialFieldRedactor.IsCredentialName(name) && value is not null ? KallglotSecret.Mask : RedactValue(value);
        }
        return masked;
    }

    private static object? RedactValue(object? value) => value switch
    {
        null => null,
        string text => Redactor.Redact(text),
        IEnumerable<KeyValuePair<string, object?>> nested => Redact(nested),
        IDictionary nested => Redact(nested.Keys.Cast<object>().Select(key => new KeyValuePair<string, object?>(key.ToString() ?? string.Empty, nested[key]))),
        IEnumerable items => items.Cast<object?>().Select(RedactValue).ToArray(),
        _ => value,
    };
}
