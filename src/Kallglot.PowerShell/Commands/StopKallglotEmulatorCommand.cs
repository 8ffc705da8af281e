using System.Management.Automation;
using Kallglot.PowerShell.Emulator;

namespace Kallglot.PowerShell.Commands;

/// <summary>Stop-KallglotEmulator: stops the given emulators, or every emulator this PowerShell process started.</summary>
[Cmdlet(VerbsLifecycle.Stop, "KallglotEmulator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class StopKallglotEmulatorCommand : KallglotCmdlet
{
    /// <summary>The emulator to stop, as Start-KallglotEmulator returned it; without it, all of them.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    // A null emulator (one whose start failed) must not stand for "all of them": only leaving the parameter out does.
    [ValidateNotNullOrEmpty]
    public KallglotEmulator[]? Emulator { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var emulator in Emulator ?? EmulatorRegistry.Snapshot().ToArray())
        {
            if (ShouldProcess(emulator.BaseUri.ToString(), "Stop the Kallglot API emulator"))
            {
                WriteVerbose($"Stopping the Kallglot emulator at {emulator.BaseUri} (killed after 5 s, or at once on Ctrl+C).");
                // Ctrl+C must not leave the process behind: the kill happens on the stop itself, not after the wait.
                try
                {
                    using (PipelineStopToken.Register(emulator.Kill))
                    {
                        Await(async cancellation =>
                        {
                            await emulator.StopAsync(TimeSpan.FromSeconds(5), cancellation).ConfigureAwait(false);
                            return true;
                        }, emulator);
                    }
                }
                catch (PipelineStoppedException)
                {
                    // The pipeline may have ended before the stop's own kill ran (the registration is gone with it): killed here,
                    // or waited for while it is killed elsewhere, so the process is gone when the stop returns.
                    emulator.Kill();
                    throw;
                }
                finally
                {
                    EmulatorRegistry.Remove(emulator);
                }
                WriteVerbose($"Kallglot emulator at {emulator.BaseUri} stopped.");
            }
        }
    }
}
