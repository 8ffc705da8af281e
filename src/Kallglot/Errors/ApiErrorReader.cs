using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kallglot.Http;
using Kallglot.Security;

namespace Kallglot.Errors;

/// <summary>
/// Turns an error response into a <see cref="KallglotApiException"/>. The body is read tolerantly:
/// <c>{"error":{"code","message"}}</c>, <c>{"code","message"}</c>, <c>{"error":"code","message"}</c>
/// or problem details (<c>title</c>/<c>detail</c>); with no readable body the status decides.
/// </summary>
internal static partial class ApiErrorReader
{
    [GeneratedRegex("^[a-z][a-z0-9_.]{1,63}$")]
    private static partial Regex StableCode();

    public static KallglotApiException Read(HttpStatusCode status, string? body, string? requestId, CreditUsage? credits,
        TimeSpan? retryAfter, params KallglotSecret?[] secrets)
    {
        var (apiCode, apiMessage) = ReadBody(body);
        apiMessage = apiMessage is null ? null : Redactor.Redact(apiMessage, secrets);
        var normalizedCode = apiCode?.Trim().ToLowerInvariant();
        var errorId = normalizedCode is not null && StableCode().IsMatch(normalizedCode) ? normalizedCode : DefaultCode(status);
        var kind = KindOf(status);
        var advice = Advice(errorId, status, retryAfter);

        var message = $"The Kallglot API refused the request: {errorId} (HTTP {(int)status})";
        if (!string.IsNullOrWhiteSpace(apiMessage))
        {
            message += $": {apiMessage.TrimEnd('.')}";
        }
        message += $". {advice}";
        if (requestId is not null)
        {
            message += $" Request id: {requestId}.";
        }
        if (credits is not null)
        {
            message += $" API credits remaining: {credits.Remaining?.ToString() ?? "unknown"}, used: {credits.Used?.ToString() ?? "unknown"}.";
        }

        return new KallglotApiException(errorId, kind, message, status)
        {
            ApiCode = apiCode,
            ApiMessage = apiMessage,
            RequestId = requestId,
            Credits = credits,
            RetryAfter = retryAfter,
            RecommendedAction = advice,
        };
    }

    private static (string? Code, string? Message) ReadBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    return (StringOf(error, "code") ?? StringOf(error, "type"), StringOf(error, "message") ?? StringOf(root, "message"));
                }
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (error.GetString(), StringOf(root, "message") ?? StringOf(root, "error_description"));
                }
            }
            return (StringOf(root, "code"), StringOf(root, "message") ?? StringOf(root, "detail") ?? StringOf(root, "title"));
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): the status decides; the text is not shown
            // because it may be large and it is not the API's own wording.
            return (null, null);
        }
        catch (InvalidOperationException)
        {
            // JSON whose code or message .NET cannot make a string of (a lone surrogate escape): the status decides.
            return (null, null);
        }
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string DefaultCode(HttpStatusCode status) => (int)status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        402 => "insufficient_api_credits",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        422 => "invalid_request",
        429 => "rate_limited",
        >= 500 => "server_error",
        _ => $"http_{(int)status}",
    };

    internal static KallglotErrorKind KindOf(HttpStatusCode status) => (int)status switch
    {
        401 => KallglotErrorKind.Authentication,
        402 => KallglotErrorKind.QuotaExceeded,
        403 => KallglotErrorKind.PermissionDenied,
        404 => KallglotErrorKind.NotFound,
        409 => KallglotErrorKind.Conflict,
        429 => KallglotErrorKind.RateLimited,
        408 or 504 => KallglotErrorKind.Timeout,
        >= 500 => KallglotErrorKind.ServiceError,
        _ => KallglotErrorKind.InvalidArgument,
    };

    private static string Advice(string errorId, HttpStatusCode status, TimeSpan? retryAfter) => errorId switch
    {
        "unauthorized" or "invalid_api_key" =>
            "Check the API key: pass -ApiKey, run Connect-Kallglot -ApiKey, or set the KALLGLOT_API_KEY environment variable.",
        "insufficient_api_credits" =>
            "The organization has no API credits left: add credits to the Kallglot organization, then try again.",
        "organization_inactive" =>
            "The organization's subscription is inactive: reactivate the subscription, then try again.",
        "provider_not_supported" =>
            "Choose the carrier through routing (-PhoneNumber, -ConnectionId or -Sip), never a provider field.",
        _ => (int)status switch
        {
            401 => "Check the API key: pass -ApiKey, run Connect-Kallglot -ApiKey, or set the KALLGLOT_API_KEY environment variable.",
            402 => "The organization has no API credits left: add credits, then try again.",
            403 => "The API key's organization may not do this; check its subscription and permissions.",
            404 => "Check the session id or the path.",
            409 => "The session is not in a state that allows this; create a new session.",
            400 or 422 => "Correct the request as the API's message says, then try again.",
            429 => retryAfter is { } wait
                ? $"Too many requests: wait {wait.TotalSeconds:0.#} s, then try again."
                : "Too many requests: wait a little, then try again.",
            >= 500 => "The Kallglot service failed: try again later, and quote the request id to support if it persists.",
            _ => "See the API's message.",
        },
    };
}
