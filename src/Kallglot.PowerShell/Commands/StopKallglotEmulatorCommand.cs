using System.Management.Automation;
using Kallglot.PowerShell.Emulator;

namespace Kallglot.PowerShell.Commands;

/// <summary>Stop-KallglotEmulator: stops the given emulators, or every emulator this PowerShell process started.</summary>
[Cmdlet(VerbsLifecycle.Stop, "KallglotEmulator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class StopKallglotEmulatorCommand : PSCmdlet
{
    /// <summary>The emulator to stop, as Start-KallglotEmulator returned it; without it, all of them.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public KallglotEmulator[]? Emulator { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var emulator in Emulator ?? EmulatorRegistry.Snapshot().ToArray())
        {
            if (ShouldProcess(emulator.BaseUri.ToString(), "Stop the Kallglot API emulator"))
            {
                emulator.Stop(TimeSpan.FromSeconds(5));
                EmulatorRegistry.Remove(emulator);
                WriteVerbose($"Kallglot emulator at {emulator.BaseUri} stopped.");
            }
        }
    }
}
