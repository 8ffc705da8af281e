using System.Net;
using Kallglot.Errors;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming.Lifecycle;

namespace Kallglot.Streaming;

/// <summary>Every way a stream can fail, each with its stable id, its kind and a message that says what to do; secrets masked.</summary>
internal static class StreamFailures
{
    public static KallglotStreamException TokenExpired(KallglotSession session, DateTimeOffset now)
    {
        var ago = now - session.TokenExpiresAt;
        return new KallglotStreamException("stream_token_expired", KallglotErrorKind.InvalidOperation,
            $"The stream token of session {session.Id} expired at {session.TokenExpiresAt:u} ({ago.TotalSeconds:0} s ago), so its stream can no longer be opened. Create a new session with New-KallglotSession and connect within 5 minutes.")
        {
            RecommendedAction = "Create a new session and connect to it promptly.",
        };
    }

    public static KallglotStreamException ConnectTimeout(KallglotSession session, TimeSpan timeout, Exception exception) =>
        new("stream_connect_timeout", KallglotErrorKind.Timeout,
            $"The stream of session {session.Id} did not open within {timeout.TotalSeconds:0.#} s. Check the network; the token stays valid until {session.TokenExpiresAt:u}.", exception);

    /// <summary>Whether a handshake answered with <paramref name="status"/> was refused for good: trying again cannot help.</summary>
    public static bool IsRefusal(HttpStatusCode? status) =>
        status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Gone;

    /// <summary>The stream could not be opened, or reopened: by the HTTP status of a refused handshake, or the network.</summary>
    public static KallglotStreamException Handshake(KallglotSession session, HttpStatusCode? status, Exception? exception)
    {
        var (errorId, kind, advice) = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ("stream_unauthorized", KallglotErrorKind.Authentication,
                "The server refused the stream token (expired, already used or invalid). Create a new session and connect within 5 minutes."),
            HttpStatusCode.NotFound => ("session_not_found", KallglotErrorKind.NotFound, "The server does not know this session. Create a new session."),
            HttpStatusCode.Conflict or HttpStatusCode.Gone => ("session_ended", KallglotErrorKind.Conflict, "The session has already ended. Create a new session."),
            null => ("stream_connect_failed", KallglotErrorKind.Connection, "Check the network and the API base URL."),
            _ => ("stream_connect_failed", KallglotErrorKind.Connection, "Try again; if it persists, create a new session."),
        };
        var code = status is { } value ? $" (HTTP {(int)value})" : string.Empty;
        var reason = exception is null ? string.Empty : $": {Redactor.Redact(exception.Message, session.StreamToken)}";
        return new KallglotStreamException(errorId, kind, $"Could not open the stream of session {session.Id}{code}{reason}. {advice}", exception)
        {
            RecommendedAction = advice,
        };
    }

    /// <summary>The failure a final verdict means, or null when the stream simply ended or was closed.</summary>
    public static KallglotStreamException? ForVerdict(ReconnectVerdict verdict, ConnectionEnd end, KallglotSession session, long eventsReceived, int maxAttempts) => verdict switch
    {
        ReconnectVerdict.ClosedByServer => new KallglotStreamException("stream_closed_by_server", KallglotErrorKind.Connection,
            $"The server closed the stream of session {session.Id} without ending the session ({end.Description}) after {eventsReceived} events. Events received before it were delivered. Create a new session to continue."),
        ReconnectVerdict.TokenExpired => new KallglotStreamException("stream_lost", KallglotErrorKind.Connection,
            $"The connection to session {session.Id} was lost ({end.Description}) after {eventsReceived} events. Its stream token expired at {session.TokenExpiresAt:u}, so it cannot be reopened: create a new session to continue."),
        // Each attempt answered 409 (tried again in case the server still held the lost connection): the session has ended.
        ReconnectVerdict.AttemptsExhausted when end.HandshakeStatus == HttpStatusCode.Conflict => Refused(session, end, eventsReceived),
        ReconnectVerdict.AttemptsExhausted when end.HandshakeStatus is { } status => new KallglotStreamException("stream_lost", KallglotErrorKind.Connection,
            $"The connection to session {session.Id} was lost after {eventsReceived} events and the server would not take it back in {maxAttempts} attempt(s) ({end.Description}). Create a new session to continue; if the server keeps answering HTTP {(int)status}, it may be busy."),
        ReconnectVerdict.AttemptsExhausted => new KallglotStreamException("stream_lost", KallglotErrorKind.Connection,
            $"The connection to session {session.Id} was lost ({end.Description}) after {eventsReceived} events and could not be reopened in {maxAttempts} attempt(s). Check the network, then create a new session."),
        ReconnectVerdict.Refused => Refused(session, end, eventsReceived),
        _ => null,
    };

    public static KallglotStreamException ReceiveFailed(KallglotSession session, Exception exception, long eventsReceived) =>
        new("stream_receive_failed", KallglotErrorKind.InvalidOperation,
            $"Receiving on session {session.Id} failed unexpectedly ({exception.GetType().Name}: {Redactor.Redact(exception.Message, session.StreamToken)}) after {eventsReceived} events; the events before it were delivered. Create a new session to continue, and report this if it repeats.", exception);

    public static KallglotStreamException CannotSend(string what, string advice, long eventsReceived) =>
        new("stream_closed", KallglotErrorKind.InvalidOperation, $"Cannot send: {what}. {advice}") { RecommendedAction = advice, EventsReceived = eventsReceived };

    /// <summary>An audio frame whose send the connection broke under; <paramref name="framesNotSent"/> includes it.</summary>
    public static KallglotStreamException FrameBroken(string sessionId, long sequence, long framesNotSent, Exception exception) =>
        new("frame_not_sent", KallglotErrorKind.Connection,
            $"Audio frame {sequence} could not be sent on session {sessionId}: the connection broke ({Redactor.Redact(exception.Message)}). {framesNotSent} frame(s) not sent so far.", exception);

    /// <summary>An audio frame whose send ended after its connection was lost and a new one reported: that gap counted it.</summary>
    public static KallglotStreamException FrameLostWithConnection(string sessionId, long sequence, long framesNotSent) =>
        new("frame_not_sent", KallglotErrorKind.Connection,
            $"Audio frame {sequence} may not have reached session {sessionId}: its connection was lost before its send ended, and it is counted with that gap's frames not sent. {framesNotSent} frame(s) not sent so far.");

    /// <summary>A JSON message whose send the connection broke under.</summary>
    public static KallglotStreamException MessageBroken(string sessionId, Exception exception) =>
        new("message_not_sent", KallglotErrorKind.Connection,
            $"The message could not be sent on session {sessionId}: the connection broke ({Redactor.Redact(exception.Message)}). Send it again once the stream has reconnected.", exception);

    /// <summary>A send that waited <paramref name="waited"/> for a lost connection to be reopened, in vain.</summary>
    /// <param name="sessionId">For the message.</param>
    /// <param name="waited">How long the send waited.</param>
    /// <param name="framesNotSent">The stream's count of audio frames not sent, this one included; null for a message that is not an audio frame.</param>
    /// <param name="eventsReceived">Carried on the exception.</param>
    public static KallglotStreamException NotReopenedInTime(string sessionId, TimeSpan waited, long? framesNotSent, long eventsReceived) =>
        new(framesNotSent is null ? "message_not_sent" : "frame_not_sent", KallglotErrorKind.Connection, framesNotSent is { } count
            ? $"The connection of session {sessionId} was not reopened within {waited.TotalSeconds:0.#} s; the frame was not sent. {count} frame(s) not sent so far."
            : $"The connection of session {sessionId} was not reopened within {waited.TotalSeconds:0.#} s; the message was not sent. Send it again once the stream has reconnected.")
        {
            EventsReceived = eventsReceived,
        };

    private static KallglotStreamException Refused(KallglotSession session, ConnectionEnd end, long eventsReceived)
    {
        var refusal = Handshake(session, end.HandshakeStatus, null);
        return new KallglotStreamException(refusal.ErrorId, refusal.Kind,
            $"The connection to session {session.Id} was lost after {eventsReceived} events and the server refused to reopen it ({end.Description}). {refusal.RecommendedAction}")
        {
            RecommendedAction = refusal.RecommendedAction,
        };
    }
}
