namespace Kallglot.Errors;

/// <summary>
/// Base of every error the client raises on purpose. <see cref="ErrorId"/> is stable across
/// versions, so scripts and tests can rely on it; the message says what happened and what to do,
/// and never holds a secret.
/// </summary>
public class KallglotException : Exception
{
    /// <summary>Creates an error.</summary>
    public KallglotException(string errorId, KallglotErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    /// <summary>A stable, lower-case identifier such as <c>insufficient_api_credits</c> or <c>invalid_phone_number</c>.</summary>
    public string ErrorId { get; }

    /// <summary>What kind of failure this is.</summary>
    public KallglotErrorKind Kind { get; }

    /// <summary>What the user can do about it, when there is something specific.</summary>
    public string? RecommendedAction { get; init; }
}
