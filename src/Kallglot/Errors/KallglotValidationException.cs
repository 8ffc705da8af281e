namespace Kallglot.Errors;

/// <summary>An argument was refused before anything was sent to the server.</summary>
public sealed class KallglotValidationException : KallglotException
{
    /// <summary>Creates a validation error for <paramref name="parameterName"/>.</summary>
    public KallglotValidationException(string errorId, string parameterName, string message)
        : base(errorId, KallglotErrorKind.InvalidArgument, message)
    {
        ParameterName = parameterName;
    }

    /// <summary>The parameter or field that was refused.</summary>
    public string ParameterName { get; }
}
