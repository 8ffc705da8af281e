using System.Text.Json.Nodes;

namespace Kallglot.Emulator.Sessions;

/// <summary>Writes API errors in the configured shape, with the credit and request-id headers every /v1 answer carries.</summary>
internal static class ApiErrors
{
    public static IResult Write(HttpContext context, EmulatorState state, int status, string code, string message)
    {
        var shape = state.Options.ErrorShape == ErrorShape.Varying ? (ErrorShape)state.NextRandom(3) : state.Options.ErrorShape;
        return shape switch
        {
            ErrorShape.Empty => Results.StatusCode(status),
            ErrorShape.Flat => Results.Json(new JsonObject { ["code"] = code, ["message"] = message }, statusCode: status),
            _ => Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, statusCode: status),
        };
    }

    public static void AddStandardHeaders(HttpContext context, EmulatorState state, bool withCredits)
    {
        context.Response.Headers["X-Request-Id"] = state.NewId("req_", 8);
        if (withCredits && !state.Options.OmitCreditHeaders)
        {
            context.Response.Headers["X-API-Credits-Remaining"] = state.CreditsRemaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["X-API-Credits-Used"] = state.CreditsUsed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
