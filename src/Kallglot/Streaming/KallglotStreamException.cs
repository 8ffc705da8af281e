using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>The stream could not be opened, or ended abnormally.</summary>
public sealed class KallglotStreamException : KallglotException
{
    /// <summary>Creates the error.</summary>
    public KallglotStreamException(string errorId, KallglotErrorKind kind, string message, Exception? innerException = null)
        : base(errorId, kind, message, innerException)
    {
    }

    /// <summary>How many events had been received when it happened.</summary>
    public long EventsReceived { get; init; }
}
