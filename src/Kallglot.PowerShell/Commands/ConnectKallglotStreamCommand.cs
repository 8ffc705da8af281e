using System.Management.Automation;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Streaming;
using Kallglot.Sessions;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Connect-KallglotStream: opens the session's real-time WebSocket stream and returns it once
/// connected. Connect promptly: the session's stream token lasts 5 minutes; once open, expiry does not matter.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "KallglotStream", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotStream))]
public sealed class ConnectKallglotStreamCommand : KallglotCmdlet
{
    /// <summary>The session, as New-KallglotSession returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KallglotSession Session { get; set; } = null!;

    /// <summary>How long opening the stream may take in all (connection and handshake), in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>Appends every frame in and out to this file as JSON lines, flushed as written.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RecordPath { get; set; }

    /// <summary>Replaces an existing -RecordPath file; without -Force or -Append an existing file is refused and left as it is.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Adds this stream's frames to the end of an existing -RecordPath file.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>How many times a lost connection may be reopened over the stream's life (only while the token is valid); 0 turns it off. A session that ended, a close by you or by the server is never reopened.</summary>
    [Parameter]
    [ValidateRange(0, 20)]
    public int MaxReconnectAttempts { get; set; } = 3;

    /// <summary>
    /// Seconds between WebSocket pings. A connection that answers no ping for about three intervals is
    /// treated as lost, then reopened while the token is valid (needs PowerShell 7.5 or later); 0 turns pings off.
    /// </summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int KeepAliveSec { get; set; } = 15;

    /// <summary>
    /// The most memory, in MB, that events received and not yet read may hold. Over it, translated
    /// audio (audio.output) is dropped and counted in the stream's EventsDropped, with one warning;
    /// transcripts, errors and lifecycle events are always kept.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65536)]
    public int MaxBufferMB { get; set; } = 64;

    /// <summary>Allows ws:// to a host that is not loopback.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureConnection { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Session.Id, "Open the session's stream"))
        {
            return;
        }
        Files.OutputFileMode recordMode;
        try
        {
            recordMode = Conversion.OutputFileModeParameters.From(Force, Append, "-RecordPath");
        }
        catch (Kallglot.Errors.KallglotException exception)
        {
            ThrowKallglotError(exception, RecordPath);
            return;
        }
        var options = new KallglotStreamOptions
        {
            RecordMode = recordMode,
            ConnectTimeout = TimeSpan.FromSeconds(TimeoutSec),
            MaxReconnectAttempts = MaxReconnectAttempts,
            KeepAliveInterval = TimeSpan.FromSeconds(KeepAliveSec),
            MaxBufferBytes = MaxBufferMB * 1024L * 1024L,
            RecordPath = RecordPath is null ? null : GetUnresolvedProviderPathFromPSPath(RecordPath),
            AllowInsecureConnection = AllowInsecureConnection.IsPresent || ModuleContext.AllowsInsecureConnectionTo(Session.ApiBaseUri),
        };
        var stream = Await(cancellation => KallglotStream.ConnectAsync(Session, options, cancellation), Session.Id);
        StreamRegistry.Add(stream);
        // Held only while it has a connection or loops to close: a job that runs thousands of calls without
        // Disconnect-KallglotStream does not keep every finished stream, and its unread events, for the life of the process.
        _ = stream.Completion.ContinueWith(_ => StreamRegistry.Remove(stream), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (ModuleContext.Ledger is { } ledger)
        {
            // The outcome line is written when the stream is over, whoever ends it and whenever.
            LedgerOutcome.RecordWhenOver(ledger, stream);
        }
        while (stream.TryReadDiagnostic(out var line))
        {
            WriteVerbose(line);
        }
        WriteObject(stream);
    }
}
