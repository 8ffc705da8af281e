using System.Collections.Concurrent;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// Writes a stream's outcome to the ledger when the stream is over. That happens off the pipeline, so
/// a failure to write is kept and shown as a warning by the next Get-KallglotSession; the writes not yet
/// done are waited for (briefly) by Disconnect-KallglotStream and when the process or the module ends,
/// so that a script that exits at once still leaves every outcome in the ledger.
/// </summary>
internal static class LedgerOutcome
{
    private static readonly ConcurrentQueue<string> Failures = new();
    private static readonly ConcurrentDictionary<KallglotStream, Task> Pending = new();

    /// <summary>Writes the outcome of <paramref name="stream"/> to <paramref name="ledger"/> once the stream is over.</summary>
    public static void RecordWhenOver(SessionLedger ledger, KallglotStream stream)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Known as pending before its write can start, so that a wait never misses it.
        Pending[stream] = written.Task;
        _ = stream.Completion.ContinueWith(_ =>
        {
            try
            {
                Record(ledger, stream);
            }
            finally
            {
                Pending.TryRemove(stream, out Task? _);
                written.SetResult();
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Completes once the outcome of <paramref name="stream"/> is written, or after <paramref name="timeout"/>.</summary>
    public static async Task WaitForAsync(KallglotStream stream, TimeSpan timeout)
    {
        if (Pending.TryGetValue(stream, out var written))
        {
            await Task.WhenAny(written, Task.Delay(timeout)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every outcome not yet written.</summary>
    public static void WaitForAll(TimeSpan timeout) => Task.WaitAll([.. Pending.Values], timeout);

    /// <summary>Failures to record an outcome since the last call.</summary>
    public static IEnumerable<string> TakeFailures()
    {
        while (Failures.TryDequeue(out var failure))
        {
            yield return failure;
        }
    }

    private static void Record(SessionLedger ledger, KallglotStream stream)
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
}
