using Kallglot.Security;

namespace Kallglot.PowerShell.Context;

/// <summary>What the module's cmdlets will use when called without -ApiKey or -BaseUri.</summary>
public sealed class KallglotContext
{
    internal KallglotContext(Uri baseUri, string baseUriSource, KallglotSecret? apiKey, string apiKeySource, bool allowInsecureConnection)
    {
        BaseUri = baseUri;
        BaseUriSource = baseUriSource;
        ApiKey = apiKey;
        ApiKeySource = apiKeySource;
        AllowInsecureConnection = allowInsecureConnection;
    }

    /// <summary>The API endpoint.</summary>
    public Uri BaseUri { get; }

    /// <summary>Where the endpoint comes from: Connect-Kallglot, the environment or the default.</summary>
    public string BaseUriSource { get; }

    /// <summary>The API key, shown as <c>***</c>; null when none is set.</summary>
    public KallglotSecret? ApiKey { get; }

    /// <summary>Where the key comes from: Connect-Kallglot, the environment, or None.</summary>
    public string ApiKeySource { get; }

    /// <summary>True when a key is available.</summary>
    public bool HasApiKey => ApiKey is not null;

    /// <summary>Whether plain http:// is allowed to a host that is not loopback.</summary>
    public bool AllowInsecureConnection { get; }

    /// <inheritdoc />
    /// <summary>The process's credit budget (Connect-Kallglot -MaxCredits); empty when none.</summary>
    public long? CreditBudget { get; init; }

    /// <summary>Credits spent under that budget in this process, every runspace included.</summary>
    public long? CreditsSpent { get; init; }

    /// <summary>The last X-API-Credits-Remaining the API reported in this process.</summary>
    public long? CreditsRemaining { get; init; }

    /// <summary>The threshold below which a warning is written (Connect-Kallglot -LowCreditWarning).</summary>
    public long? LowCreditWarning { get; init; }

    /// <summary>The session ledger's file; empty when the ledger is off (Connect-Kallglot -NoLedger).</summary>
    public string? LedgerPath { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{BaseUri} (key: {ApiKeySource})";
}
