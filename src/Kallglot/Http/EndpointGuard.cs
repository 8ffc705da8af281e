using System.Net;
using Kallglot.Errors;

namespace Kallglot.Http;

/// <summary>Refuses clear-text endpoints beyond this machine: the API key and stream token would cross the network unencrypted.</summary>
internal static class EndpointGuard
{
    public static void EnsureAllowed(Uri uri, bool allowInsecureConnection)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new KallglotValidationException("invalid_base_uri", "BaseUri",
                $"'{uri}' is not an http(s) or ws(s) URL. Give the API endpoint, for example https://api.kallglot.com.");
        }
        if (uri.Scheme is "http" or "ws" && !allowInsecureConnection && !IsLoopback(uri))
        {
            throw new KallglotValidationException("insecure_connection_refused", "BaseUri",
                $"Refusing the unencrypted URL {uri.GetLeftPart(UriPartial.Authority)}: the API key and stream token would cross the network in clear. Use https://, or pass -AllowInsecureConnection if this endpoint is trusted.");
        }
    }

    /// <summary>As <see cref="EnsureAllowed"/>, for the HTTP API's base: http(s) only, since a ws(s) URL is a stream's, not the API's.</summary>
    public static void EnsureAllowedApiBase(Uri uri, bool allowInsecureConnection)
    {
        if (uri.IsAbsoluteUri && uri.Scheme is "ws" or "wss")
        {
            throw new KallglotValidationException("invalid_base_uri", "BaseUri",
                $"'{uri.GetLeftPart(UriPartial.Authority)}' is a WebSocket URL; the API endpoint is http(s), for example https://api.kallglot.com. Stream URLs come with each session.");
        }
        EnsureAllowed(uri, allowInsecureConnection);
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
