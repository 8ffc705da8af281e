using System.Management.Automation;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// The streams this PowerShell process opened, so that removing the module or ending the process
/// closes them instead of leaving sockets and background loops behind.
/// </summary>
internal static class StreamRegistry
{
    private static readonly object Gate = new();
    private static readonly HashSet<KallglotStream> Open = new();

    /// <summary>How long the end of the process or of the module waits for outcomes still being written.</summary>
    public static readonly TimeSpan OutcomeWait = TimeSpan.FromSeconds(5);

    static StreamRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            CloseAll();
            // A script that exits at once (pwsh -File, a job) still leaves every stream's outcome in the ledger.
            LedgerOutcome.WaitForAll(OutcomeWait);
        };
    }

    public static void Add(KallglotStream stream)
    {
        lock (Gate)
        {
            Open.Add(stream);
        }
    }

    public static void Remove(KallglotStream stream)
    {
        lock (Gate)
        {
            Open.Remove(stream);
        }
    }

    public static void CloseAll()
    {
        KallglotStream[] streams;
        lock (Gate)
        {
            streams = Open.ToArray();
            Open.Clear();
        }
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }
}
