using System.Management.Automation;
using Kallglot.PowerShell.Streaming;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Disconnect-KallglotStream: closes the stream cleanly. It sends the close frame and reads on until
/// the server's own close frame or -TimeoutSec, so the events the server sends while closing (the last
/// finals, session.ended) are kept; every event received can still be read with Receive-KallglotStream.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "KallglotStream", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotStream))]
public sealed class DisconnectKallglotStreamCommand : KallglotCmdlet
{
    /// <summary>The stream, as Connect-KallglotStream returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KallglotStream Stream { get; set; } = null!;

    /// <summary>
    /// How long, in seconds, to wait for the server to finish the closing handshake; the events it
    /// sends meanwhile (the last finals, session.ended) are kept for Receive-KallglotStream.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 5;

    /// <summary>Returns the closed stream (its counters stay readable).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Stream.SessionId, "Close the Kallglot stream"))
        {
            return;
        }
        Await(async _ =>
        {
            await Stream.CloseAsync(TimeSpan.FromSeconds(TimeoutSec)).ConfigureAwait(false);
            // Its ledger line is down when this returns: a script that exits next leaves it there.
            await LedgerOutcome.WaitForAsync(Stream, StreamRegistry.OutcomeWait).ConfigureAwait(false);
            return true;
        }, Stream.SessionId);
        StreamRegistry.Remove(Stream);
        AudioOutputFiles.Close(Stream);
        while (Stream.TryReadDiagnostic(out var line))
        {
            WriteVerbose(line);
        }
        WriteVerbose($"Stream of session {Stream.SessionId} closed: {Stream.EventsReceived} events received ({Stream.EventsPending} not read yet), {Stream.FramesSent} frames sent, {Stream.FramesNotSent} not sent; session end reason: {Stream.EndReason ?? "none received"}.");
        if (PassThru)
        {
            WriteObject(Stream);
        }
    }
}
