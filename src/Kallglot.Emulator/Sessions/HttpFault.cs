namespace Kallglot.Emulator.Sessions;

/// <summary>A failure the next /v1 requests meet, set under /_emulator/faults: a status (with or without Retry-After), or no answer at all.</summary>
/// <param name="Status">The HTTP status to answer with.</param>
/// <param name="RetryAfterSeconds">The Retry-After header, when set.</param>
/// <param name="Hang">Never answer: the client's timeout must end the wait.</param>
/// <param name="BodyBytes">When set, a body of this many bytes instead of an error body (a server gone wrong).</param>
internal sealed record HttpFault(int Status, int? RetryAfterSeconds, bool Hang, long? BodyBytes = null)
{
    public string Code => Status switch
    {
        429 => "rate_limited",
        503 => "service_unavailable",
        _ => "server_error",
    };
}
