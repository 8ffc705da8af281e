using System.Management.Automation;
using System.Security;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Errors;

namespace Kallglot.PowerShell.Commands;

/// <summary>Connect-Kallglot: sets the API key and endpoint that later cmdlets in this PowerShell process use.</summary>
[Cmdlet(VerbsCommunications.Connect, "Kallglot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotContext))]
public sealed class ConnectKallglotCommand : PSCmdlet
{
    /// <summary>The API key. Read it with Read-Host -AsSecureString or from a secret store; it is kept in memory only.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API endpoint, for example the emulator's BaseUri.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public Uri? BaseUri { get; set; }

    /// <summary>Allows plain http:// to a host that is not loopback.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureConnection { get; set; }

    /// <summary>Returns the resulting context.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// A budget for this PowerShell process: at most this many sessions are created from now on, by
    /// every runspace together (ForEach-Object -Parallel, thread jobs). Rows past it get
    /// credit_budget_exhausted and send no request. Setting it again starts a new budget.
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? MaxCredits { get; set; }

    /// <summary>Writes a warning, once, when the API reports fewer credits remaining than this.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? LowCreditWarning { get; set; }

    /// <summary>The session ledger's file (one JSON line per session created and per stream ended); by default $env:KALLGLOT_LEDGER, else Kallglot/sessions.jsonl under the user's local application data.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LedgerPath { get; set; }

    /// <summary>Records no session in the ledger.</summary>
    [Parameter]
    public SwitchParameter NoLedger { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!MyInvocation.BoundParameters.Keys.Any(name => name is nameof(ApiKey) or nameof(BaseUri) or nameof(AllowInsecureConnection) or nameof(MaxCredits) or nameof(LowCreditWarning) or nameof(LedgerPath) or nameof(NoLedger)))
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("connect_nothing_given", KallglotErrorKind.InvalidArgument,
                "Connect-Kallglot needs something to set: -ApiKey, -BaseUri, -AllowInsecureConnection, -MaxCredits, -LowCreditWarning, -LedgerPath or -NoLedger. For example: Connect-Kallglot -ApiKey (Read-Host -AsSecureString 'Kallglot API key').",
                null));
        }
        if (ApiKey is not null && ModuleContext.IsBlank(ApiKey))
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("api_key_empty", KallglotErrorKind.InvalidArgument,
                "The API key is empty or only white space. Give the key from the Kallglot dashboard.", null));
        }
        bool? allowInsecure = MyInvocation.BoundParameters.ContainsKey(nameof(AllowInsecureConnection)) ? AllowInsecureConnection.IsPresent : null;
        var (effectiveBaseUri, effectiveAllow) = ModuleContext.Preview(BaseUri, allowInsecure);
        if (effectiveBaseUri is not null)
        {
            try
            {
                // The context stays coherent: the endpoint it will hold must be allowed with the allowance it will hold.
                EndpointGuard.EnsureAllowedApiBase(effectiveBaseUri, effectiveAllow);
            }
            catch (KallglotException exception)
            {
                ThrowTerminatingError(ErrorRecordFactory.From(exception, effectiveBaseUri));
            }
        }
        if (!ShouldProcess("Kallglot defaults for this PowerShell process", "Set the API key and endpoint"))
        {
            return;
        }
        ModuleContext.Set(ApiKey, BaseUri, allowInsecure);
        ModuleContext.SetCredits(MaxCredits, LowCreditWarning);
        ModuleContext.SetLedger(LedgerPath is null ? null : GetUnresolvedProviderPathFromPSPath(LedgerPath), NoLedger.IsPresent);
        var (baseUri, baseSource) = ModuleContext.ResolveBaseUri(null);
        var (key, keySource) = ModuleContext.ResolveApiKey(null);
        WriteVerbose($"Kallglot defaults set: endpoint {baseUri} ({baseSource}), API key from {keySource}.");
        if (PassThru)
        {
            WriteObject(ModuleContext.Snapshot());
        }
    }
}
