using System.Management.Automation;
using Kallglot.Errors;

namespace Kallglot.PowerShell.Errors;

/// <summary>Turns the core's errors into ErrorRecords: stable id, the right category, a message that says what to do, no stack trace.</summary>
internal static class ErrorRecordFactory
{
    public static ErrorRecord From(KallglotException exception, object? target)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception.Kind), target);
        if (exception.RecommendedAction is { } action)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = action };
        }
        return record;
    }

    /// <summary>A failure the module did not foresee: still an ErrorRecord with a stable id, the .NET type named, no stack trace in the message.</summary>
    public static ErrorRecord Unexpected(Exception exception, object? target)
    {
        var inner = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerException! : exception;
        if (inner is KallglotException known)
        {
            return From(known, target);
        }
        var wrapped = new KallglotException("unexpected_error", KallglotErrorKind.InvalidOperation,
            $"The Kallglot module failed unexpectedly: {inner.Message} ({inner.GetType().Name}). Please report this with the command you ran.", inner);
        return From(wrapped, target);
    }

    public static ErrorRecord Create(string errorId, KallglotErrorKind kind, string message, object? target, string? recommendedAction = null) =>
        From(new KallglotException(errorId, kind, message) { RecommendedAction = recommendedAction }, target);

    public static ErrorCategory CategoryOf(KallglotErrorKind kind) => kind switch
    {
        KallglotErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        KallglotErrorKind.Authentication => ErrorCategory.AuthenticationError,
        KallglotErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        KallglotErrorKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
        KallglotErrorKind.RateLimited => ErrorCategory.LimitsExceeded,
        KallglotErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        KallglotErrorKind.Conflict => ErrorCategory.ResourceExists,
        KallglotErrorKind.ServiceError => ErrorCategory.ResourceUnavailable,
        KallglotErrorKind.Connection => ErrorCategory.ConnectionError,
        KallglotErrorKind.Timeout => ErrorCategory.OperationTimeout,
        KallglotErrorKind.Protocol => ErrorCategory.ProtocolError,
        KallglotErrorKind.File => ErrorCategory.ReadError,
        KallglotErrorKind.FileWrite => ErrorCategory.WriteError,
        _ => ErrorCategory.InvalidOperation,
    };
}
