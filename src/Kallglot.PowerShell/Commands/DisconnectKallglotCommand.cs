using System.Management.Automation;
using Kallglot.PowerShell.Context;

namespace Kallglot.PowerShell.Commands;

/// <summary>Disconnect-Kallglot: forgets the key and endpoint Connect-Kallglot set.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Kallglot", SupportsShouldProcess = true)]
public sealed class DisconnectKallglotCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ShouldProcess("Kallglot defaults set by Connect-Kallglot", "Forget"))
        {
            ModuleContext.Clear();
            WriteVerbose("Kallglot defaults cleared; environment variables, if set, still apply.");
        }
    }
}
