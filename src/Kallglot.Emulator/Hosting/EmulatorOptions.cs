namespace Kallglot.Emulator;

/// <summary>Settings of an emulator instance; most can also be changed at run time under /_emulator/config.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Keys accepted as <c>Authorization: Bearer</c>; by default one random test key.</summary>
    public IList<string> ApiKeys { get; set; } = [$"kg_test_{Guid.NewGuid():N}"];

    /// <summary>Credits the organization starts with.</summary>
    public int InitialCredits { get; set; } = 1000;

    /// <summary>Whether the organization's subscription is active (403 organization_inactive when not).</summary>
    public bool OrganizationActive { get; set; } = true;

    /// <summary>How long a stream token opens the stream (the API documents 5 minutes).</summary>
    public TimeSpan TokenTimeToLive { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Shape of session responses.</summary>
    public ResponseShape ResponseShape { get; set; } = ResponseShape.Canonical;

    /// <summary>Shape of error bodies.</summary>
    public ErrorShape ErrorShape { get; set; } = ErrorShape.Nested;

    /// <summary>A session with no frame from the client and no output pending for this long ends with reason idle_timeout.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Texts and translations, cycled per utterance; when empty, texts are generated.</summary>
    public IList<ScriptedUtterance> Script { get; set; } = [];

    /// <summary>Whether translated audio is sent in real time (20 ms per frame) or as fast as possible.</summary>
    public bool PaceAudioOutput { get; set; } = true;

    /// <summary>Whether the server logs to the console.</summary>
    public bool LogToConsole { get; set; }

    /// <summary>Put before every stream token, so a leak test can search any output for tokens it never saw.</summary>
    public string TokenPrefix { get; set; } = string.Empty;

    /// <summary>
    /// How long after sending <c>session.ended</c> the server sends its close frame; zero closes at
    /// once, as some servers do. The client must not take that close as a reason to reconnect.
    /// </summary>
    public TimeSpan CloseAfterSessionEnded { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether a connection to a session that has ended is accepted (then ended again at once) rather
    /// than refused with 409: servers differ, and a client that reconnects after the end would loop.
    /// </summary>
    public bool AcceptEndedSessions { get; set; }

    /// <summary>
    /// Extra <c>transcript.final</c> events the server sends after the client's close frame and before
    /// <c>session.ended</c> and its own close frame (RFC 6455 lets it), spaced by <see cref="ClosingHandshakeInterval"/>.
    /// </summary>
    public int ClosingHandshakeEvents { get; set; }

    /// <summary>
    /// <c>transcript.final</c> events the server sends after <c>session.ended</c> and before its close frame, spaced by
    /// <see cref="ClosingHandshakeInterval"/>: a server whose last translation comes after it has said the session ended.
    /// The client closes on <c>session.ended</c>, so they arrive while the connection closes.
    /// </summary>
    public int EventsAfterSessionEnded { get; set; }

    /// <summary>The spacing of <see cref="ClosingHandshakeEvents"/> and <see cref="EventsAfterSessionEnded"/>.</summary>
    public TimeSpan ClosingHandshakeInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How many finals of each connection, from its first, come without a translation, as a server sends words already in the
    /// target language: the notes make a final's translation optional.
    /// </summary>
    public int UntranslatedFinals { get; set; }

    /// <summary>
    /// Whether stream events go out in binary frames, as a server that sends its JSON as bytes does (Python's
    /// <c>send(bytes)</c>, Node's <c>send(Buffer)</c>).
    /// </summary>
    public bool EventsAsBinary { get; set; }

    /// <summary>
    /// How long after the connection opens <c>session.ready</c> comes, as a server whose pipeline takes time to start: audio that
    /// arrives before it is dropped unheard (counted as <c>framesDroppedBeforeReady</c>), as such a server drops it.
    /// </summary>
    public TimeSpan ReadyDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether <c>session.ready</c> waits for the first audio frame, as a server that starts its pipeline on the first audio does;
    /// that frame is dropped unheard.
    /// </summary>
    public bool ReadyAfterFirstAudio { get; set; }

    /// <summary>When set, every audio frame is answered with an <c>error</c> event of this code instead of being heard, as a server that refuses the call's audio does.</summary>
    public string? RejectAudioCode { get; set; }

    /// <summary>Whether responses leave out the X-API-Credits-* headers, as a server that does not report credits does.</summary>
    public bool OmitCreditHeaders { get; set; }

    /// <summary>How session responses and stream events escape text.</summary>
    public JsonEscaping JsonEscaping { get; set; } = JsonEscaping.Minimal;

    /// <summary>The characters new stream tokens are made of.</summary>
    public TokenAlphabet TokenAlphabet { get; set; } = TokenAlphabet.UrlSafe;

    /// <summary>Whether <c>session.ready</c> repeats the stream URL and token, as some servers do: a client must not keep them.</summary>
    public bool EchoTokenInEvents { get; set; }

    /// <summary>How long stopping waits before it starts, as a server with work to finish does: for tests of whoever stops it.</summary>
    public TimeSpan ShutdownDelay { get; set; } = TimeSpan.Zero;

    /// <summary>When set, <c>expires_at</c> in session responses is this number instead of the real expiry: a server's unreadable value.</summary>
    public double? ExpiresAtOverride { get; set; }

    /// <summary>The clock token expiry and idle time are decided by; tests pass a fake one and move it, instead of waiting.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long creating a session takes, as a busy server's does.</summary>
    public TimeSpan CreateDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Seed of the Varying shapes' choices.</summary>
    public int Seed { get; set; } = 1;
}
