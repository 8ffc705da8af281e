using System.Net.WebSockets;
using Kallglot.Emulator.Sessions;

namespace Kallglot.Emulator.Streaming;

/// <summary>GET /v1/sessions/{id}/connect?token=...: the session's WebSocket, with the token and its lifetime checked before the upgrade.</summary>
internal static class StreamEndpoint
{
    public static void Map(WebApplication app, EmulatorState state)
    {
        app.Map("/v1/sessions/{id}/connect", async (HttpContext context, string id) =>
        {
            ApiErrors.AddStandardHeaders(context, state, withCredits: false);
            if (!state.Sessions.TryGetValue(id, out var session))
            {
                await ApiErrors.Write(context, state, 404, "session_not_found", $"No session {id}.").ExecuteAsync(context);
                return;
            }
            Interlocked.Increment(ref session.Handshakes);
            if (state.StreamFaults.TryDequeue(out var fault))
            {
                if (fault.RetryAfterSeconds is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await ApiErrors.Write(context, state, fault.Status, fault.Code, "Injected stream fault.").ExecuteAsync(context);
                return;
            }
            var token = context.Request.Query["token"].ToString();
            if (!string.Equals(token, session.Token, StringComparison.Ordinal))
            {
                await ApiErrors.Write(context, state, 401, "invalid_token", "The stream token is missing or wrong.").ExecuteAsync(context);
                return;
            }
            if (state.Options.TimeProvider.GetUtcNow() >= session.TokenExpiresAt)
            {
                await ApiErrors.Write(context, state, 401, "token_expired", "The stream token has expired; create a new session.").ExecuteAsync(context);
                return;
            }
            if (session.Status == SessionStatus.Ended && !state.Options.AcceptEndedSessions)
            {
                await ApiErrors.Write(context, state, 409, "session_ended", "The session has ended.").ExecuteAsync(context);
                return;
            }
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await ApiErrors.Write(context, state, 400, "websocket_required", "Connect with a WebSocket.").ExecuteAsync(context);
                return;
            }
            Interlocked.Increment(ref session.Accepting);
            StreamConnection connection;
            WebSocket socket;
            try
            {
                socket = await context.WebSockets.AcceptWebSocketAsync();
                connection = new StreamConnection(context, socket, session, state);
                session.Attach(connection)?.Abort();
            }
            finally
            {
                Interlocked.Decrement(ref session.Accepting);
            }
            using (socket)
            {
                await connection.RunAsync();
            }
        });
    }
}
