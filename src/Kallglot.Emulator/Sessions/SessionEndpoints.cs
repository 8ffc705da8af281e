using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kallglot.Emulator.Sessions;

/// <summary>POST /v1/sessions and GET /v1/sessions/{id}, as the API notes describe them.</summary>
internal static partial class SessionEndpoints
{
    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();

    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapPost("/v1/sessions", (Func<HttpContext, Task<IResult>>)(context => CreateAsync(context, state)));
        app.MapGet("/v1/sessions/{id}", async (HttpContext context, string id) => await FaultAsync(context, state) ?? Get(context, state, id));
    }

    private static bool Authorized(HttpContext context, EmulatorState state)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && state.Options.ApiKeys.Contains(header["Bearer ".Length..].Trim());
    }

    /// <summary>An injected failure for this request, if one is queued: answered as a gateway or an overloaded API would.</summary>
    private static async Task<IResult?> FaultAsync(HttpContext context, EmulatorState state)
    {
        if (!state.Faults.TryDequeue(out var fault))
        {
            return null;
        }
        if (fault.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Empty;
        }
        ApiErrors.AddStandardHeaders(context, state, withCredits: true);
        if (fault.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }
        if (fault.BodyBytes is { } size)
        {
            context.Response.StatusCode = fault.Status;
            context.Response.ContentType = "application/json";
            var piece = new byte[64 * 1024];
            piece.AsSpan().Fill((byte)' ');
            for (var sent = 0L; sent < size; sent += piece.Length)
            {
                await context.Response.Body.WriteAsync(piece.AsMemory(0, (int)Math.Min(piece.Length, size - sent)), context.RequestAborted);
            }
            return Results.Empty;
        }
        return ApiErrors.Write(context, state, fault.Status, fault.Code, $"Injected failure {fault.Status}.");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EmulatorState state)
    {
        using var inFlight = state.EnterCreate();
        if (state.Options.CreateDelay > TimeSpan.Zero)
        {
            // A server that takes its time to create a session: what parallel creation is for.
            await Task.Delay(state.Options.CreateDelay, context.RequestAborted);
        }
        if (await FaultAsync(context, state) is { } fault)
        {
            return fault;
        }
        if (!Authorized(context, state))
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: false);
            return ApiErrors.Write(context, state, 401, "unauthorized", "The API key is missing or invalid.");
        }
        if (!state.OrganizationActive)
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: true);
            return ApiErrors.Write(context, state, 403, "organization_inactive", "The organization's subscription is inactive.");
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: true);
            return ApiErrors.Write(context, state, 400, "invalid_json", "The body must be a JSON object.");
        }
        if (Validate(body) is { } refusal)
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: true);
            return ApiErrors.Write(context, state, 422, refusal.Code, refusal.Message);
        }
        if (!state.TryConsumeCredit())
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: true);
            return ApiErrors.Write(context, state, 402, "insufficient_api_credits", "The organization has no API credits left.");
        }

        var routing = (JsonObject)body["routing"]!.DeepClone();
        var provider = routing.ContainsKey("phone_number") ? "twilio" : routing.ContainsKey("connection_id") ? "kallglot" : "sip";
        var metadata = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (key is not ("routing" or "source_language" or "target_language"))
            {
                metadata[key] = value?.DeepClone();
            }
        }
        var random = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=');
        var token = state.Options.TokenPrefix + (state.Options.TokenAlphabet == TokenAlphabet.Base64 ? "k+/" + random : random.Replace('+', '-').Replace('/', '_'));
        var now = state.Options.TimeProvider.GetUtcNow();
        var session = new EmulatedSession(state.NewId("sess_", 12), token, now, now + state.Options.TokenTimeToLive, routing, provider,
            (string?)body["source_language"], (string?)body["target_language"], metadata.Count == 0 ? null : metadata);
        state.Sessions[session.Id] = session;

        ApiErrors.AddStandardHeaders(context, state, withCredits: true);
        var shape = state.Options.ResponseShape == ResponseShape.Varying ? (ResponseShape)state.NextRandom(4) : state.Options.ResponseShape;
        var response = Shape(session, shape, context, now);
        if (state.Options.ExpiresAtOverride is { } expiresAt && shape == ResponseShape.Canonical)
        {
            response["expires_at"] = expiresAt;
        }
        return EmulatorJson.Result(response, state.Options.JsonEscaping, 201);
    }

    private static IResult Get(HttpContext context, EmulatorState state, string id)
    {
        if (!Authorized(context, state))
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: false);
            return ApiErrors.Write(context, state, 401, "unauthorized", "The API key is missing or invalid.");
        }
        ApiErrors.AddStandardHeaders(context, state, withCredits: true);
        if (!state.Sessions.TryGetValue(id, out var session))
        {
            return ApiErrors.Write(context, state, 404, "session_not_found", $"No session {id}.");
        }
        return EmulatorJson.Result(Shape(session, ResponseShape.Canonical, context, state.Options.TimeProvider.GetUtcNow()), state.Options.JsonEscaping);
    }

    private static (string Code, string Message)? Validate(JsonObject body)
    {
        if (body.ContainsKey("provider"))
        {
            return ("provider_not_supported", "Do not send 'provider': choose the carrier with 'routing' (phone_number, connection_id or SIP fields).");
        }
        if (body["routing"] is not JsonObject routing)
        {
            return ("invalid_routing", "'routing' must be an object holding phone_number, connection_id or SIP fields.");
        }
        var kinds = 0;
        if (routing.ContainsKey("phone_number"))
        {
            kinds++;
            if (routing["phone_number"] is not JsonValue phone || !phone.TryGetValue<string>(out var number) || !E164().IsMatch(number))
            {
                return ("invalid_phone_number", "routing.phone_number must be in E.164 form, such as +14155550100.");
            }
        }
        if (routing.ContainsKey("connection_id"))
        {
            kinds++;
            if (routing["connection_id"] is not JsonValue connection || !connection.TryGetValue<string>(out var id) || string.IsNullOrWhiteSpace(id))
            {
                return ("invalid_routing", "routing.connection_id must be a non-empty string.");
            }
        }
        var sipKeys = routing.Select(pair => pair.Key).Where(key => key.StartsWith("sip", StringComparison.OrdinalIgnoreCase)).ToList();
        if (sipKeys.Count > 0)
        {
            kinds++;
            if (routing["sip_uri"] is JsonValue uri && uri.TryGetValue<string>(out var sipUri) && !sipUri.StartsWith("sip:", StringComparison.Ordinal) && !sipUri.StartsWith("sips:", StringComparison.Ordinal))
            {
                return ("invalid_routing", "routing.sip_uri must start with sip: or sips:.");
            }
        }
        if (kinds != 1)
        {
            return ("invalid_routing", "'routing' must hold exactly one of phone_number, connection_id or SIP fields.");
        }
        foreach (var name in new[] { "source_language", "target_language" })
        {
            if (body[name] is { } language && (language is not JsonValue value || !value.TryGetValue<string>(out var tag) || !LanguageTag().IsMatch(tag)))
            {
                return ("invalid_language", $"{name} must be a BCP-47 tag such as en or pt-BR.");
            }
        }
        return null;
    }

    private static JsonObject Shape(EmulatedSession session, ResponseShape shape, HttpContext context, DateTimeOffset now)
    {
        var request = context.Request;
        var url = $"ws://{request.Host}/v1/sessions/{session.Id}/connect?token={Uri.EscapeDataString(session.Token)}";
        var expiresAt = session.TokenExpiresAt.ToString("O", CultureInfo.InvariantCulture);
        var common = new JsonObject
        {
            ["status"] = session.StatusText,
            ["provider"] = session.Provider,
            ["routing"] = session.Routing.DeepClone(),
            ["source_language"] = session.SourceLanguage,
            ["target_language"] = session.TargetLanguage,
            ["created_at"] = session.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (session.Metadata is not null)
        {
            common["metadata"] = session.Metadata.DeepClone();
        }
        JsonObject specific = shape switch
        {
            ResponseShape.Flat => new JsonObject
            {
                ["session_id"] = session.Id,
                ["stream_url"] = url,
                ["token"] = session.Token,
                ["expires_in"] = Math.Max(0, (int)(session.TokenExpiresAt - now).TotalSeconds),
            },
            ResponseShape.Nested => new JsonObject
            {
                ["id"] = session.Id,
                ["stream"] = new JsonObject { ["url"] = url, ["token"] = session.Token, ["expires_at"] = expiresAt },
            },
            ResponseShape.UrlOnly => new JsonObject { ["session_id"] = session.Id, ["ws_url"] = url },
            _ => new JsonObject { ["id"] = session.Id, ["websocket_url"] = url, ["stream_token"] = session.Token, ["expires_at"] = expiresAt },
        };
        foreach (var (key, value) in common)
        {
            specific[key] = value?.DeepClone();
        }
        return specific;
    }
}
