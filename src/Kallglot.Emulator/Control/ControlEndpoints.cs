using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kallglot.Emulator.Sessions;
using Kallglot.Emulator.Streaming;
using Kallglot.Emulator.Streaming.Outgoing;

namespace Kallglot.Emulator.Control;

/// <summary>
/// /_emulator/...: what tests, demos and benchmarks need to reach every path of a client: credits,
/// organization status, response shapes, injected and flooded events, drops, stalls and endings.
/// The module's public cmdlets never call these.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.MapGet("/_emulator/health", () => Results.Json(new { status = "ok" }));
        app.MapPost("/_emulator/credits", async (HttpContext context) =>
        {
            var body = await ReadObjectAsync(context);
            state.SetCredits((long?)body?["remaining"] ?? 0);
            return Results.Json(new { remaining = state.CreditsRemaining, used = state.CreditsUsed });
        });
        app.MapGet("/_emulator/credits", () => Results.Json(new { remaining = state.CreditsRemaining, used = state.CreditsUsed, maxCreatesInFlight = state.MaxCreatesInFlight }));
        app.MapPost("/_emulator/organization", async (HttpContext context) =>
        {
            var body = await ReadObjectAsync(context);
            state.OrganizationActive = (bool?)body?["active"] ?? true;
            return Results.Json(new { active = state.OrganizationActive });
        });
        app.MapPost("/_emulator/config", async (HttpContext context) =>
        {
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            var options = state.Options;
            if ((string?)body["responseShape"] is { } shape)
            {
                options.ResponseShape = Enum.Parse<ResponseShape>(shape, ignoreCase: true);
            }
            if ((string?)body["errorShape"] is { } errorShape)
            {
                options.ErrorShape = Enum.Parse<ErrorShape>(errorShape, ignoreCase: true);
            }
            if ((double?)body["tokenTtlSeconds"] is { } ttl)
            {
                options.TokenTimeToLive = TimeSpan.FromSeconds(ttl);
            }
            if ((bool?)body["paceAudioOutput"] is { } pace)
            {
                options.PaceAudioOutput = pace;
            }
            if ((double?)body["idleTimeoutSeconds"] is { } idle)
            {
                options.IdleTimeout = TimeSpan.FromSeconds(idle);
            }
            if ((string?)body["jsonEscaping"] is { } escaping)
            {
                options.JsonEscaping = Enum.Parse<JsonEscaping>(escaping, ignoreCase: true);
            }
            if ((string?)body["tokenAlphabet"] is { } alphabet)
            {
                options.TokenAlphabet = Enum.Parse<TokenAlphabet>(alphabet, ignoreCase: true);
            }
            if ((bool?)body["echoTokenInEvents"] is { } echo)
            {
                options.EchoTokenInEvents = echo;
            }
            if ((double?)body["createDelayMs"] is { } createDelay)
            {
                options.CreateDelay = TimeSpan.FromMilliseconds(createDelay);
            }
            if ((double?)body["shutdownDelaySeconds"] is { } shutdownDelay)
            {
                options.ShutdownDelay = TimeSpan.FromSeconds(shutdownDelay);
            }
            if (body.ContainsKey("expiryOverride"))
            {
                options.ExpiresAtOverride = (double?)body["expiryOverride"];
            }
            if ((double?)body["closeAfterEndedMs"] is { } closeAfter)
            {
                options.CloseAfterSessionEnded = TimeSpan.FromMilliseconds(closeAfter);
            }
            if ((bool?)body["acceptEndedSessions"] is { } acceptEnded)
            {
                options.AcceptEndedSessions = acceptEnded;
            }
            if ((int?)body["closingHandshakeEvents"] is { } closingEvents)
            {
                options.ClosingHandshakeEvents = closingEvents;
            }
            if ((int?)body["untranslatedFinals"] is { } untranslated)
            {
                options.UntranslatedFinals = untranslated;
            }
            if ((bool?)body["eventsAsBinary"] is { } asBinary)
            {
                options.EventsAsBinary = asBinary;
            }
            if ((int?)body["eventsAfterEnded"] is { } afterEnded)
            {
                options.EventsAfterSessionEnded = afterEnded;
            }
            if ((double?)body["readyDelayMs"] is { } readyDelay)
            {
                options.ReadyDelay = TimeSpan.FromMilliseconds(readyDelay);
            }
            if ((bool?)body["readyAfterFirstAudio"] is { } readyAfterAudio)
            {
                options.ReadyAfterFirstAudio = readyAfterAudio;
            }
            if ((bool?)body["omitCreditHeaders"] is { } omitCredits)
            {
                options.OmitCreditHeaders = omitCredits;
            }
            if (body.ContainsKey("rejectAudio"))
            {
                options.RejectAudioCode = (string?)body["rejectAudio"];
            }
            if ((double?)body["closingHandshakeIntervalMs"] is { } closingInterval)
            {
                options.ClosingHandshakeInterval = TimeSpan.FromMilliseconds(closingInterval);
            }
            return Results.Json(new
            {
                responseShape = options.ResponseShape.ToString(),
                errorShape = options.ErrorShape.ToString(),
                closeAfterEndedMs = options.CloseAfterSessionEnded.TotalMilliseconds,
                acceptEndedSessions = options.AcceptEndedSessions,
                closingHandshakeEvents = options.ClosingHandshakeEvents,
                eventsAfterEnded = options.EventsAfterSessionEnded,
                eventsAsBinary = options.EventsAsBinary,
                readyDelayMs = options.ReadyDelay.TotalMilliseconds,
                readyAfterFirstAudio = options.ReadyAfterFirstAudio,
                rejectAudio = options.RejectAudioCode,
            });
        });
        app.MapPost("/_emulator/faults", async (HttpContext context) =>
        {
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            var count = Math.Max(1, (int?)body["count"] ?? 1);
            var queue = (bool?)body["stream"] ?? false ? state.StreamFaults : state.Faults;
            for (var i = 0; i < count; i++)
            {
                queue.Enqueue(new HttpFault((int?)body["status"] ?? 503, (int?)body["retryAfterSeconds"], (bool?)body["hang"] ?? false, (long?)body["bodyBytes"]));
            }
            return Results.Json(new { queued = queue.Count });
        });
        app.MapPost("/_emulator/faults/clear", () =>
        {
            state.Faults.Clear();
            state.StreamFaults.Clear();
            return Results.Json(new { queued = 0 });
        });
        app.MapGet("/_emulator/sessions", () => Results.Json(new JsonArray(state.Sessions.Values.OrderBy(s => s.CreatedAt).Select(s => (JsonNode)s.Describe()).ToArray())));
        app.MapGet("/_emulator/sessions/{id}", (string id) =>
            state.Sessions.TryGetValue(id, out var session) ? Results.Json(session.Describe()) : Results.NotFound());

        app.MapPost("/_emulator/sessions/{id}/events", async (HttpContext context, string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            var node = await JsonNode.ParseAsync(context.Request.Body);
            var events = node is JsonArray array ? array.ToList() : [node];
            foreach (var item in events)
            {
                connection.Enqueue(OutgoingMessage.Verbatim(Encoding.UTF8.GetBytes(item?.ToJsonString() ?? "null")));
            }
            return Results.Json(new { queued = events.Count });
        });
        app.MapPost("/_emulator/sessions/{id}/raw", async (HttpContext context, string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            var text = (string?)body["text"] ?? string.Empty;
            var repeat = Math.Max(1, (int?)body["count"] ?? 1);
            if ((long?)body["bytes"] is { } size)
            {
                // Written in pieces as one message: a message of any size costs the emulator nothing.
                for (var i = 0; i < repeat; i++)
                {
                    connection.Enqueue(OutgoingMessage.Filler(size, (bool?)body["binary"] ?? false));
                }
                return Results.Json(new { queued = repeat });
            }
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var i = 0; i < repeat; i++)
            {
                connection.Enqueue(OutgoingMessage.Verbatim(bytes, (bool?)body["binary"] ?? false));
            }
            return Results.Json(new { queued = repeat });
        });
        app.MapPost("/_emulator/sessions/{id}/flood", async (HttpContext context, string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            connection.Enqueue(OutgoingMessage.Flood(Math.Max(1, (int?)body["count"] ?? 1000),
                TimeSpan.FromMilliseconds((double?)body["intervalMs"] ?? 0), (bool?)body["end"] ?? false,
                (string?)body["type"] == "audio.output" ? FloodKind.AudioOutput : FloodKind.Transcripts));
            return Results.Accepted();
        });
        app.MapPost("/_emulator/sessions/{id}/drop", async (string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            connection.Abort();
            return Results.Json(new { dropped = id });
        });
        app.MapPost("/_emulator/sessions/{id}/stall", async (HttpContext context, string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            connection.Stall(TimeSpan.FromMilliseconds((double?)body["milliseconds"] ?? 1000));
            return Results.Json(new { stalled = id });
        });
        app.MapPost("/_emulator/sessions/{id}/close", async (HttpContext context, string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            // The server's close frame with no session.ended before it: the session is not over. A status such as 1012 (service
            // restart) is a server that goes away and asks the client to come back.
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            var status = (int?)body["status"] ?? 1000;
            // What a close frame may carry (RFC 6455 7.4): 1004-1006 and 1015 are reserved, never sent.
            if (status is < 1000 or > 4999 or 1004 or 1005 or 1006 or 1015)
            {
                return Results.BadRequest(new { error = $"{status} is not a close status a server may send" });
            }
            connection.Enqueue(OutgoingMessage.CloseOnly(status));
            return Results.Json(new { closing = id });
        });
        app.MapPost("/_emulator/sessions/{id}/unresponsive", async (string id) =>
        {
            if (await ConnectedAsync(state, id) is not { } connection)
            {
                return Results.NotFound(new { error = "not connected" });
            }
            connection.BecomeUnresponsive();
            return Results.Json(new { unresponsive = id });
        });
        app.MapPost("/_emulator/sessions/{id}/end", async (HttpContext context, string id) =>
        {
            if (!state.Sessions.TryGetValue(id, out var session))
            {
                return Results.NotFound();
            }
            var body = await ReadObjectAsync(context) ?? new JsonObject();
            var reason = (string?)body["reason"] ?? "ended_by_operator";
            if (await session.WaitForConnectionAsync(TimeSpan.FromSeconds(5)) is { } connection)
            {
                connection.End(reason);
            }
            else
            {
                session.End(reason);
            }
            return Results.Json(new { ended = id, reason });
        });
    }

    private static async Task<StreamConnection?> ConnectedAsync(EmulatorState state, string id) =>
        state.Sessions.TryGetValue(id, out var session) ? await session.WaitForConnectionAsync(TimeSpan.FromSeconds(5)) : null;

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
