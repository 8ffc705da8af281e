using System.Management.Automation;
using Kallglot.PowerShell.Context;

namespace Kallglot.PowerShell.Commands;

/// <summary>Get-KallglotContext: the endpoint and key the cmdlets will use, and where each comes from. The key shows as ***.</summary>
[Cmdlet(VerbsCommon.Get, "KallglotContext")]
[OutputType(typeof(KallglotContext))]
public sealed class GetKallglotContextCommand : PSCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var (baseUri, baseSource) = ModuleContext.ResolveBaseUri(null);
        var (key, keySource) = ModuleContext.ResolveApiKey(null);
        WriteObject(ModuleContext.Snapshot());
    }
}
