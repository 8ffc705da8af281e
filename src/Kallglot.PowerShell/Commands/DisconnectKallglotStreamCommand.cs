using System.Management.Automation;
using Kallglot.PowerShell.Streaming;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Commands;

/// <summary>Disconnect-KallglotStream: closes the stream cleanly (the server then ends the session). Events already received can still be read.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "KallglotStream", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotStream))]
public sealed class DisconnectKallglotStreamCommand : KallglotCmdlet
{
    /// <summary>The stream, as Connect-KallglotStream returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KallglotStream Stream { get; set; } = null!;

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
            await Stream.CloseAsync().ConfigureAwait(false);
            return true;
        }, Stream.SessionId);
        StreamRegistry.Remove(Stream);
        AudioOutputFiles.Close(Stream);
        WriteVerbose($"Stream of session {Stream.SessionId} closed: {Stream.EventsReceived} events received, {Stream.FramesSent} frames sent, {Stream.FramesNotSent} not sent.");
        if (PassThru)
        {
            WriteObject(Stream);
        }
    }
}
