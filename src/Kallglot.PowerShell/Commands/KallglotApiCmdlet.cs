using System.Management.Automation;
using System.Security;
using Kallglot.Errors;
using Kallglot.PowerShell.Context;
using Kallglot.Security;

namespace Kallglot.PowerShell.Commands;

/// <summary>A cmdlet that calls the HTTP API: the shared -ApiKey, -BaseUri, -MaxRetry and -AllowInsecureConnection.</summary>
public abstract class KallglotApiCmdlet : KallglotCmdlet
{
    /// <summary>The API key for this call only; otherwise Connect-Kallglot's, then KALLGLOT_API_KEY.</summary>
    [Parameter]
    public SecureString? ApiKey { get; set; }

    /// <summary>The API endpoint for this call only; otherwise Connect-Kallglot's, then KALLGLOT_BASE_URL, then https://api.kallglot.com.</summary>
    [Parameter]
    public Uri? BaseUri { get; set; }

    /// <summary>How often a throttled (429 with Retry-After) or unreachable request is retried; 0 turns retries off.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int MaxRetry { get; set; } = 3;

    /// <summary>How long one HTTP request may take, in seconds, before it is abandoned with a request_timeout error.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 100;

    /// <summary>Allows plain http:// to a host that is not loopback.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureConnection { get; set; }

    /// <summary>A client configured from the parameters, Connect-Kallglot and the environment; its log goes to -Verbose.</summary>
    protected KallglotClient CreateClient()
    {
        var (apiKey, _) = ModuleContext.ResolveApiKey(ApiKey);
        var (baseUri, baseSource) = ModuleContext.ResolveBaseUri(BaseUri);
        if (baseSource == ModuleContext.UnreadableBaseUrlSource && Environment.GetEnvironmentVariable(ModuleContext.BaseUrlVariable) is { } unreadable)
        {
            // Not quietly the production API with this environment's key: the variable says another endpoint was meant.
            throw new KallglotValidationException("invalid_base_uri", "BaseUri",
                $"The {ModuleContext.BaseUrlVariable} environment variable ('{Redactor.Redact(unreadable)}') is not an absolute URL, so nothing was sent. Set it to the API endpoint, for example https://api.kallglot.com, or remove it.");
        }
        var options = new KallglotClientOptions
        {
            ApiKey = apiKey,
            BaseUri = baseUri,
            MaxRetries = MaxRetry,
            NetworkTimeout = TimeSpan.FromSeconds(TimeoutSec),
            AllowInsecureConnection = AllowInsecureConnection.IsPresent || ModuleContext.AllowsInsecureConnectionTo(baseUri),
            // Lines nobody will see are not made: each one is formatted and masked.
            Log = VerboseWanted() ? QueueVerbose : null,
            ApplicationId = $"PowerShell/{PSVersionInfoText()}",
        };
        return new KallglotClient(options);
    }

    private bool VerboseWanted() =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out var verbose)
            ? verbose is SwitchParameter { IsPresent: true }
            : SessionState.PSVariable.GetValue("VerbosePreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;

    private string PSVersionInfoText() =>
        SessionState.PSVariable.GetValue("PSVersionTable") is System.Collections.Hashtable table && table["PSVersion"] is { } version
            ? version.ToString() ?? "unknown"
            : "unknown";
}
