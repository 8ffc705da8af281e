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
    public override string ToString() => $"{BaseUri} (key: {ApiKeySource})";
}
