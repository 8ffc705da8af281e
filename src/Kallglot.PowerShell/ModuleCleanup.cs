using System.Management.Automation;
using Kallglot.PowerShell.Streaming;

namespace Kallglot.PowerShell;

/// <summary>Closes the module's open streams when the module is removed (Remove-Module), so no socket or loop outlives it.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        StreamRegistry.CloseAll();
        LedgerOutcome.WaitForAll(StreamRegistry.OutcomeWait);
        TypeNames.Remove();
    }
}
