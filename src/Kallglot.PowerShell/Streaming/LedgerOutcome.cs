using System.Collections.Concurrent;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// Writes a stream's outcome to the ledger when the stream is over. That happens off the pipeline, so
/// a failure to write is kept and shown as a warning by the next Get-KallglotSession.
/// </summary>
internal static class LedgerOutcome
{
    private static readonly ConcurrentQueue<string> Failures = new();

    public static void Record(SessionLedger ledger, KallglotStream stream)
    {
        try
        {
            ledger.Append(SessionLedger.Outcome(stream, DateTimeOffset.UtcNow));
        }
        catch (KallglotException exception)
        {
            Failures.Enqueue(exception.Message);
        }
    }

    /// <summary>Failures to record an outcome since the last call.</summary>
    public static IEnumerable<string> TakeFailures()
    {
        while (Failures.TryDequeue(out var failure))
        {
            yield return failure;
        }
    }
}
