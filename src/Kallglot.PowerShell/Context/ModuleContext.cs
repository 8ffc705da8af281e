using System.Net;
using System.Security;
using Kallglot.Security;

namespace Kallglot.PowerShell.Context;

/// <summary>
/// The defaults Connect-Kallglot sets for this PowerShell process, and the resolution order every
/// cmdlet follows: its own parameters, Connect-Kallglot, the environment, the public endpoint.
/// </summary>
internal static class ModuleContext
{
    public const string ApiKeyVariable = "KALLGLOT_API_KEY";
    public const string BaseUrlVariable = "KALLGLOT_BASE_URL";

    private static readonly object Gate = new();
    private static SecureString? _apiKey;
    private static Uri? _baseUri;
    private static bool _allowInsecureConnection;

    public static void Set(SecureString? apiKey, Uri? baseUri, bool allowInsecureConnection)
    {
        lock (Gate)
        {
            if (apiKey is not null)
            {
                _apiKey?.Dispose();
                _apiKey = apiKey.Copy();
                _apiKey.MakeReadOnly();
            }
            if (baseUri is not null)
            {
                _baseUri = baseUri;
            }
            _allowInsecureConnection = allowInsecureConnection;
        }
    }

    public static void Clear()
    {
        lock (Gate)
        {
            _apiKey?.Dispose();
            _apiKey = null;
            _baseUri = null;
            _allowInsecureConnection = false;
        }
    }

    public static (KallglotSecret? Key, string Source) ResolveApiKey(SecureString? parameter)
    {
        if (parameter is { Length: > 0 })
        {
            return (ToSecret(parameter), "Parameter");
        }
        lock (Gate)
        {
            if (_apiKey is { Length: > 0 })
            {
                return (ToSecret(_apiKey), "Connect-Kallglot");
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(ApiKeyVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? (null, "None")
            : (new KallglotSecret(fromEnvironment.Trim()), $"Environment ({ApiKeyVariable})");
    }

    public static (Uri BaseUri, string Source) ResolveBaseUri(Uri? parameter)
    {
        if (parameter is not null)
        {
            return (parameter, "Parameter");
        }
        lock (Gate)
        {
            if (_baseUri is not null)
            {
                return (_baseUri, "Connect-Kallglot");
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(BaseUrlVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && Uri.TryCreate(fromEnvironment.Trim(), UriKind.Absolute, out var uri))
        {
            return (uri, $"Environment ({BaseUrlVariable})");
        }
        return (KallglotClientOptions.DefaultBaseUri, "Default");
    }

    public static bool AllowInsecureConnection
    {
        get
        {
            lock (Gate)
            {
                return _allowInsecureConnection;
            }
        }
    }

    private static KallglotSecret ToSecret(SecureString secure) => new(new NetworkCredential(string.Empty, secure).Password);
}
