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

    /// <summary>
    /// Changes what the call names and nothing else: a key alone keeps the endpoint and whether it may
    /// be insecure; a new endpoint comes with its own allowance (off unless given).
    /// </summary>
    /// <param name="apiKey">The new key, or null to keep the current one.</param>
    /// <param name="baseUri">The new endpoint, or null to keep the current one.</param>
    /// <param name="allowInsecureConnection">Null when the caller did not name it.</param>
    public static void Set(SecureString? apiKey, Uri? baseUri, bool? allowInsecureConnection)
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
                _allowInsecureConnection = allowInsecureConnection ?? false;
            }
            else if (allowInsecureConnection is { } allow)
            {
                _allowInsecureConnection = allow;
            }
        }
    }

    /// <summary>The endpoint and allowance a Set with these values would leave, for checking before it is made.</summary>
    public static (Uri? BaseUri, bool AllowInsecureConnection) Preview(Uri? baseUri, bool? allowInsecureConnection)
    {
        lock (Gate)
        {
            return baseUri is not null
                ? (baseUri, allowInsecureConnection ?? false)
                : (_baseUri, allowInsecureConnection ?? _allowInsecureConnection);
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
