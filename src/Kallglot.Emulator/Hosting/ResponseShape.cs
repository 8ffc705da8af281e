namespace Kallglot.Emulator;

/// <summary>
/// How the emulator shapes a created session. The real API's shape is not documented, so the
/// emulator answers in several plausible ones; Varying picks one per request, so a client cannot
/// quietly depend on any single shape.
/// </summary>
public enum ResponseShape
{
    /// <summary><c>id</c>, <c>websocket_url</c>, <c>stream_token</c>, <c>expires_at</c>.</summary>
    Canonical,
    /// <summary><c>session_id</c>, <c>stream_url</c>, <c>token</c>, <c>expires_in</c> (seconds).</summary>
    Flat,
    /// <summary><c>id</c> and <c>stream: { url, token, expires_at }</c>.</summary>
    Nested,
    /// <summary><c>session_id</c> and <c>ws_url</c> holding the token; no expiry at all.</summary>
    UrlOnly,
    /// <summary>One of the others at random per request (seeded).</summary>
    Varying,
}
