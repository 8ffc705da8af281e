namespace Kallglot.Errors;

/// <summary>
/// What kind of failure an error is. Hosts map it to their own categories (PowerShell's
/// ErrorCategory); the core stays free of any host's types.
/// </summary>
public enum KallglotErrorKind
{
    /// <summary>A value the caller gave is not acceptable; nothing was sent.</summary>
    InvalidArgument,
    /// <summary>The API key is missing or was refused.</summary>
    Authentication,
    /// <summary>The organization may not do this (for example its subscription is inactive).</summary>
    PermissionDenied,
    /// <summary>Out of API credits.</summary>
    QuotaExceeded,
    /// <summary>Too many requests; the API asked the client to slow down.</summary>
    RateLimited,
    /// <summary>The session or path does not exist.</summary>
    NotFound,
    /// <summary>The request conflicts with the current state (for example a session that has ended).</summary>
    Conflict,
    /// <summary>The service failed (HTTP 5xx).</summary>
    ServiceError,
    /// <summary>The server could not be reached or the connection broke.</summary>
    Connection,
    /// <summary>The operation took longer than allowed.</summary>
    Timeout,
    /// <summary>The server sent something the client cannot read.</summary>
    Protocol,
    /// <summary>The operation does not fit the object's state (a closed stream, an expired token).</summary>
    InvalidOperation,
    /// <summary>A local file could not be read, or is not what it should be.</summary>
    File,
    /// <summary>A local file could not be written (a full disk, a folder without permission).</summary>
    FileWrite,
}
