using System.Collections;
using Kallglot.Sessions;

namespace Kallglot.PowerShell.Conversion;

/// <summary>The request for the routing a cmdlet was given (-PhoneNumber, -ConnectionId or -Sip): one rule for every cmdlet that creates a session.</summary>
internal static class RoutingParameters
{
    public const string PhoneNumberSet = "PhoneNumber";
    public const string ConnectionIdSet = "ConnectionId";
    public const string SipSet = "Sip";

    public static CreateSessionRequest ToRequest(string parameterSetName, string phoneNumber, string connectionId, Hashtable sip) => parameterSetName switch
    {
        ConnectionIdSet => CreateSessionRequest.ForConnectionId(connectionId),
        SipSet => CreateSessionRequest.ForSip((IDictionary)PowerShellValueConverter.Unwrap(sip)!),
        _ => CreateSessionRequest.ForPhoneNumber(phoneNumber),
    };
}
