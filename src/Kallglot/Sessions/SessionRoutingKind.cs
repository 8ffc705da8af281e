namespace Kallglot.Sessions;

/// <summary>How a session reaches the call: the one routing kind its request carries.</summary>
public enum SessionRoutingKind
{
    /// <summary>A Kallglot-managed phone number (E.164).</summary>
    PhoneNumber,
    /// <summary>A configured carrier connection.</summary>
    ConnectionId,
    /// <summary>SIP fields, copied under <c>routing</c> as given.</summary>
    Sip,
}
