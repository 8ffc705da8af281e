using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>A stream message that is not a readable event: the only exception <see cref="EventParser"/> throws.</summary>
public sealed class EventParseException : KallglotException
{
    /// <summary>Creates the error.</summary>
    public EventParseException(string message, Exception? innerException = null)
        : base("malformed_event", KallglotErrorKind.Protocol, message, innerException)
    {
    }
}
