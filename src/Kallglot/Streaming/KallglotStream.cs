using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming.Connection;
using Kallglot.Streaming.Events;
using Kallglot.Streaming.Lifecycle;
using Websocket.Client;

namespace Kallglot.Streaming;

/// <summary>
/// The stream of a session: its lifecycle. One connection at a time; when one ends, the
/// <see cref="ReconnectPolicy"/> decides whether another is opened (only after a loss, while the
/// token is valid); a reopened connection is announced by a <c>stream.reconnected</c> event in its
/// place among the others. Events are buffered in order until read; audio frames leave one at a
/// time. Closing reads on through the closing handshake, so the server's last events are kept.
/// </summary>
public sealed class KallglotStream : IAudioFrameSink, IAsyncDisposable, IDisposable
{
    private readonly KallglotSession _session;
    private readonly KallglotStreamOptions _options;
    private readonly ReconnectPolicy _policy;
    private readonly WebSocketConnectionSettings _connectionSettings;
    private readonly StreamRecorder? _recorder;
    private readonly InboundDecoder _decoder;
    private readonly EventBuffer _buffer;
    private readonly OutboundFrameSender _sender;
    private readonly FramesNotSentCounter _framesNotSent;
    private readonly BackgroundSendSet _backgroundSends;
    private readonly StreamDiagnostics _diagnostics;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connectedTimestamp;
    private readonly object _stateGate = new();
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KallglotStreamState _state = KallglotStreamState.Connecting;
    private WebSocketConnection? _connection;
    private Task _supervisor = Task.CompletedTask;
    private PendingReconnection? _pendingReconnection;
    private bool _sessionEnded;
    // A server that asks the client back (1001, 1012, 1013) and sends it away again this soon after letting it in is not restarting.
    private static readonly TimeSpan AskedBackAgainWithin = TimeSpan.FromSeconds(10);
    private bool _closeRequested;
    private bool _finished;
    private int _reconnectAttempts;
    private int _reconnects;
    private int _disposed;

    private KallglotStream(KallglotSession session, KallglotStreamOptions options)
    {
        _session = session;
        _options = options;
        _policy = new ReconnectPolicy(options.MaxReconnectAttempts, options.ReconnectDelay, options.MaxReconnectDelay);
        _connectionSettings = new WebSocketConnectionSettings(options.KeepAliveInterval, options.MaxMessageBytes);
        _recorder = options.RecordPath is null ? null : new StreamRecorder(options.RecordPath, options.RecordMode, session.Id);
        _decoder = new InboundDecoder(session.Id, options.MaxMessageBytes, _recorder, session.StreamToken);
        _buffer = new EventBuffer(options.MaxBufferBytes);
        _framesNotSent = new FramesNotSentCounter(_stateGate);
        _sender = new OutboundFrameSender(session.Id, WaitUntilSendableAsync, _framesNotSent, _recorder, session.SequenceSent);
        _diagnostics = new StreamDiagnostics(session.Id, session.StreamToken, options.Log);
        _backgroundSends = new BackgroundSendSet(_lifetime.Token, ReportClientError,
            () => State is KallglotStreamState.Closed or KallglotStreamState.Ended or KallglotStreamState.Failed);
    }

    private void ReportClientError(string code, string message)
    {
        try
        {
            _buffer.Add(_decoder.ClientError(code, message, DateTimeOffset.UtcNow));
        }
        catch (KallglotException exception) when (exception.ErrorId == "stream_record_failed")
        {
            // As for a frame sent: a recording that cannot be written stops the stream rather than miss what happened.
            Fail(exception);
        }
    }

    /// <summary>Opens the stream of <paramref name="session"/>; <see cref="KallglotStreamOptions.ConnectTimeout"/> bounds the whole connect.</summary>
    /// <exception cref="KallglotStreamException">The token has expired, or the server refused or did not answer.</exception>
    public static async Task<KallglotStream> ConnectAsync(KallglotSession session, KallglotStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        options = (options ?? new KallglotStreamOptions()).Clone();
        if (session.TokenExpiresAt <= options.TimeProvider.GetUtcNow())
        {
            throw StreamFailures.TokenExpired(session, options.TimeProvider.GetUtcNow());
        }
        EndpointGuard.EnsureAllowed(session.StreamUriWithToken, options.AllowInsecureConnection);
        var stream = new KallglotStream(session, options);
        try
        {
            await stream.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return stream;
    }

    /// <summary>The session this stream belongs to.</summary>
    public KallglotSession Session => _session;

    /// <summary>The session id.</summary>
    public string SessionId => _session.Id;

    /// <summary>Where the stream is in its life.</summary>
    public KallglotStreamState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>When the WebSocket opened.</summary>
    public DateTimeOffset? ConnectedAt { get; private set; }

    /// <summary>When <c>session.ready</c> arrived.</summary>
    public DateTimeOffset? ReadyAt { get; private set; }

    /// <summary>Time from starting to connect to <c>session.ready</c>.</summary>
    public TimeSpan? ReadyAfter => ReadyAt - ConnectStartedAt;

    /// <summary>When the client started to connect.</summary>
    public DateTimeOffset ConnectStartedAt { get; private set; }

    /// <summary>Events received so far (all types, including those already read and the client's own).</summary>
    public long EventsReceived => _decoder.EventsReceived;

    /// <summary>Events received and not yet read, every one of them readable now (<see cref="EventsReceived"/> counts an event as it comes off the socket, a moment before it is buffered).</summary>
    public int EventsPending => _buffer.Count;

    /// <summary>Nothing more can arrive and every event was read: the stream is over (ended, closed or failed) and its buffer empty.</summary>
    internal bool IsOverAndRead => _buffer.IsOver;

    /// <summary>Memory held by unread events, in bytes (an estimate).</summary>
    public long BufferedBytes => _buffer.BytesHeld;

    /// <summary>Translated audio events dropped because unread events were over <see cref="KallglotStreamOptions.MaxBufferBytes"/>.</summary>
    public long EventsDropped => _buffer.Dropped;

    /// <summary>Events that came after the stream was over (a background send's failure, say) and could not be delivered.</summary>
    public long EventsUndelivered => _buffer.Undelivered;

    /// <summary>Audio frames sent.</summary>
    public long FramesSent => _sender.FramesSent;

    /// <summary>Audio frames that could not be sent (the connection was down); reported, never lost in silence.</summary>
    public long FramesNotSent => _framesNotSent.Total;

    /// <summary>Audio payload bytes sent.</summary>
    public long AudioBytesSent => _sender.AudioBytesSent;

    /// <summary>The last sequence number used.</summary>
    public long LastSequence => _sender.LastSequence;

    /// <summary>How many times a lost connection was reopened.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Why the session ended, from <c>session.ended</c> (also when it came during the closing handshake).</summary>
    public string? EndReason { get; private set; }

    /// <summary>Why the stream failed, when it did.</summary>
    public KallglotStreamException? Failure { get; private set; }

    /// <summary>The file frames are recorded to, when recording.</summary>
    public string? RecordPath => _recorder?.Path;

    /// <summary>True while a connection, a reconnection or a background send of this stream still runs.</summary>
    public bool HasActiveWork => !_supervisor.IsCompleted || Volatile.Read(ref _connection) is not null || _backgroundSends.AnyRunning;

    /// <summary>Completes once the stream is over (ended, closed or failed), with its final state and counters set.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The files sent in the background of this stream, finished or not.</summary>
    public IReadOnlyList<BackgroundAudioSend> BackgroundSends => _backgroundSends.Snapshot;

    /// <summary>Takes the reader's place: only one reader at a time, so no event is split between two or read twice.</summary>
    /// <exception cref="KallglotStreamException">Another reader holds the place (<c>stream_busy</c>).</exception>
    public KallglotStreamReader OpenReader() => _buffer.OpenReader(SessionId);

    /// <summary>Takes the next event without waiting; false when none is buffered.</summary>
    /// <exception cref="KallglotStreamException">Another reader holds the place (<c>stream_busy</c>).</exception>
    public bool TryReadEvent(out KallglotEvent streamEvent)
    {
        using var reader = OpenReader();
        return reader.TryRead(out streamEvent);
    }

    /// <summary>
    /// Waits until an event is buffered (true) or the stream is over and drained (false). After a
    /// failure, once every event received before it has been read, throws the failure.
    /// </summary>
    /// <exception cref="KallglotStreamException">Another reader holds the place (<c>stream_busy</c>), or the stream failed.</exception>
    public async ValueTask<bool> WaitForEventAsync(CancellationToken cancellationToken = default)
    {
        using var reader = OpenReader();
        return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True once, after translated audio was first dropped for the buffer bound: the moment to warn.</summary>
    public bool TakeDropWarning() => _buffer.TakeDropWarning();

    /// <summary>Sends one <c>audio.input</c> frame and returns its sequence number.</summary>
    /// <exception cref="KallglotValidationException">The speaker label is empty.</exception>
    /// <exception cref="KallglotStreamException">The stream is over, or the frame could not be sent.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, CancellationToken cancellationToken = default,
        string encoding = "mulaw", int sampleRateHz = 8000)
    {
        try
        {
            return await _sender.SendAudioAsync(payload, speaker, encoding, sampleRateHz, cancellationToken).ConfigureAwait(false);
        }
        catch (KallglotException exception) when (exception.ErrorId == "stream_record_failed")
        {
            Fail(exception);
            throw;
        }
    }

    /// <summary>
    /// Completes once <c>session.ready</c> has come, the stream is over, or <see cref="KallglotStreamOptions.SessionReadyWait"/>
    /// has passed since the stream was connected; a send of a file awaits it before its first frame, as a server may drop audio
    /// that comes before it is ready. Only the first connection is waited for: a send under way goes on through a reconnection,
    /// and a server that drops audio until it is ready again loses what comes before (the gap's stream.reconnected says when).
    /// </summary>
    public async Task WhenReadyForAudioAsync(CancellationToken cancellationToken)
    {
        // A monotonic clock, not the options' TimeProvider: that one is the token's, which tests move by hand.
        var left = _options.SessionReadyWait - Stopwatch.GetElapsedTime(_connectedTimestamp);
        if (_ready.Task.IsCompleted || _completion.Task.IsCompleted || left <= TimeSpan.Zero)
        {
            return;
        }
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(left, waited.Token);
        var first = await Task.WhenAny(_ready.Task, _completion.Task, timeout).ConfigureAwait(false);
        waited.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == timeout)
        {
            _diagnostics.Log($"no session.ready within {_options.SessionReadyWait.TotalSeconds:0.#} s of connecting: sending audio anyway");
        }
    }

    /// <summary>Sends a JSON text message as given (no sequence number): for messages the module does not wrap, and for tests of the server.</summary>
    /// <exception cref="KallglotStreamException"><c>message_not_sent</c> when the connection broke under it or was not reopened
    /// within <see cref="KallglotStreamOptions.SendReconnectWait"/>; it is not counted in <see cref="FramesNotSent"/>, which counts audio frames.</exception>
    public Task SendJsonAsync(string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        return _sender.SendTextAsync(json, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="reader"/>'s frames in the background, so events can be received while it
    /// plays. The stream owns the reader from here on. A failure arrives among the events as an
    /// <c>error</c> event with code <c>audio_send_failed</c>, so whoever receives sees it.
    /// </summary>
    public BackgroundAudioSend StartBackgroundSend(MuLawFrameReader reader, string speaker, bool paced)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            SpeakerLabel.Validate(speaker);
        }
        catch (KallglotValidationException)
        {
            reader.Dispose();
            throw;
        }
        return _backgroundSends.Start(this, reader, speaker, paced);
    }

    /// <summary>Closes the stream within <see cref="KallglotStreamOptions.CloseTimeout"/>.</summary>
    public Task CloseAsync() => CloseAsync(_options.CloseTimeout);

    /// <summary>
    /// Closes the stream cleanly: stops background sends, sends the close frame and reads on until the
    /// server's close frame or <paramref name="timeout"/>, then aborts. Every event that arrived before
    /// the server's close frame stays readable.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        WebSocketConnection? connection;
        lock (_stateGate)
        {
            _closeRequested = true;
            connection = _connection;
            if (_state is KallglotStreamState.Connecting or KallglotStreamState.Open or KallglotStreamState.Reconnecting)
            {
                // Closed from this moment: no more sends; events of the closing handshake are still taken.
                SetStateLocked(KallglotStreamState.Closed);
            }
        }
        CancelLifetime();
        if (connection is not null)
        {
            var end = await connection.CloseAsync(timeout).ConfigureAwait(false);
            _diagnostics.Log($"closed: {end.Description}");
        }
        try
        {
            await _supervisor.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _diagnostics.Log("the connection did not end in time after the close");
        }
        Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Ends the stream at once (no closing handshake); buffered events can still be read.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        WebSocketConnection? connection;
        lock (_stateGate)
        {
            _closeRequested = true;
            connection = _connection;
            if (_state is KallglotStreamState.Connecting or KallglotStreamState.Open or KallglotStreamState.Reconnecting)
            {
                SetStateLocked(KallglotStreamState.Closed);
            }
        }
        CancelLifetime();
        connection?.Dispose();
        // Finish closes the recording too, once no send is under way.
        Finish(ReconnectVerdict.ClosedByClient, new ConnectionEnd(ConnectionEndKind.ClosedByClient, "disposed"));
    }

    /// <summary>Takes the next diagnostic line (connection changes, secrets masked).</summary>
    public bool TryReadDiagnostic(out string line) => _diagnostics.TryRead(out line);

    /// <inheritdoc />
    public override string ToString() => $"{SessionId} ({State}, {EventsReceived} events)";

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        ConnectStartedAt = DateTimeOffset.UtcNow;
        _diagnostics.Log($"connecting to {Redactor.RedactUrl(_session.StreamUriWithToken, _session.StreamToken)}");
        if (!WebSocketConnection.DetectsDeadPeers && _options.KeepAliveInterval > TimeSpan.Zero)
        {
            _diagnostics.Log("this .NET runtime cannot time out unanswered pings (it needs .NET 9, PowerShell 7.5 or later): a dead peer is found only when TCP gives up");
        }
        WebSocketConnection connection;
        try
        {
            connection = await WebSocketConnection.OpenAsync(_session.StreamUriWithToken, _connectionSettings, OnMessage, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketConnectException exception) when (exception.TimedOut)
        {
            throw StreamFailures.ConnectTimeout(_session, _options.ConnectTimeout, exception);
        }
        catch (WebSocketConnectException exception)
        {
            throw StreamFailures.Handshake(_session, exception.HandshakeStatus, exception);
        }
        lock (_stateGate)
        {
            _connection = connection;
            ConnectedAt = DateTimeOffset.UtcNow;
            _connectedTimestamp = Stopwatch.GetTimestamp();
            // A session.ended that came before this point has already set the state: it stays.
            if (_state == KallglotStreamState.Connecting)
            {
                SetStateLocked(KallglotStreamState.Open);
            }
        }
        _diagnostics.Log("connected");
        _supervisor = SuperviseAsync(connection);
    }

    private async Task SuperviseAsync(WebSocketConnection connection)
    {
        try
        {
            await FollowConnectionsAsync(connection).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Nothing else ends the stream once its supervisor is gone (a recording that could not be written as a reconnection
            // was announced, say): it fails with the cause, its connection goes with it, and Completion is set.
            Fail(exception as KallglotException ?? StreamFailures.ReceiveFailed(_session, exception, EventsReceived));
            WebSocketConnection? current;
            lock (_stateGate)
            {
                current = _connection;
            }
            current?.Dispose();
            Finish(ReconnectVerdict.ClosedByClient, new ConnectionEnd(ConnectionEndKind.ClosedByClient, "the stream failed"));
        }
    }

    private async Task FollowConnectionsAsync(WebSocketConnection connection)
    {
        long? reopenedAfterAskedBackAt = null;
        while (true)
        {
            var end = await connection.Ended.ConfigureAwait(false);
            // What the socket said goes into events, failures and the recording: masked once, here.
            end = end with { Description = Redactor.Redact(end.Description, _session.StreamToken) };
            if (end.ServerAskedBack && reopenedAfterAskedBackAt is { } reopenedAt && Stopwatch.GetElapsedTime(reopenedAt) < AskedBackAgainWithin)
            {
                // Let back in and sent away again at once: not a restart, but a server's way of ending the stream. Final.
                end = end with { Kind = ConnectionEndKind.ClosedByServer };
            }
            var reopeningAfterAskedBack = end is { ServerAskedBack: true, Kind: ConnectionEndKind.Lost };
            connection.Dispose();
            var gap = new PendingReconnection(DateTimeOffset.UtcNow, 0, end.Description, 0);
            WebSocketConnection? next = null;
            while (next is null)
            {
                ReconnectDecision decision;
                lock (_stateGate)
                {
                    _connection = null;
                    decision = _closeRequested
                        ? new ReconnectDecision(ReconnectVerdict.ClosedByClient, TimeSpan.Zero)
                        : _policy.Decide(end.Kind, _sessionEnded, _session.TokenExpiresAt > _options.TimeProvider.GetUtcNow(), _reconnectAttempts, end.RetryAfter);
                    if (decision.ShouldReconnect)
                    {
                        _reconnectAttempts++;
                        gap = gap with { Attempts = gap.Attempts + 1, Number = _reconnects + 1 };
                        if (_state == KallglotStreamState.Open)
                        {
                            SetStateLocked(KallglotStreamState.Reconnecting);
                        }
                    }
                }
                if (!decision.ShouldReconnect)
                {
                    Finish(decision.Verdict, end);
                    return;
                }
                _diagnostics.Log($"connection lost ({end.Description}); reopening in {decision.Delay.TotalMilliseconds:0} ms, attempt {_reconnectAttempts} of {_policy.MaxAttempts}");
                try
                {
                    await Task.Delay(decision.Delay, _lifetime.Token).ConfigureAwait(false);
                    lock (_stateGate)
                    {
                        _pendingReconnection = gap;
                    }
                    next = await WebSocketConnection.OpenAsync(_session.StreamUriWithToken, _connectionSettings, OnMessage, _options.ConnectTimeout, _lifetime.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
                {
                    Finish(ReconnectVerdict.ClosedByClient, end);
                    return;
                }
                catch (WebSocketConnectException exception)
                {
                    end = exception.AsConnectionEnd($"reconnection attempt {_reconnectAttempts}", _session.StreamToken);
                }
            }
            bool keep;
            lock (_stateGate)
            {
                keep = TryAdoptLocked(next, mustBeLive: false);
                if (keep)
                {
                    AnnounceReconnectionLocked();
                }
            }
            if (!keep)
            {
                await next.CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
                next.Dispose();
                Finish(ReconnectVerdict.ClosedByClient, end);
                return;
            }
            _diagnostics.Log($"connection reopened after {gap.Attempts} attempt(s) ({Reconnects} reconnection(s) so far)");
            reopenedAfterAskedBackAt = reopeningAfterAskedBack ? Stopwatch.GetTimestamp() : null;
            connection = next;
        }
    }

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnMessage(ResponseMessage message, WebSocketConnection connection)
    {
        // Runs on the library's receive loop: an exception here would unsubscribe this handler for good.
        try
        {
            if (!connection.HasDeliveredMessage)
            {
                connection.HasDeliveredMessage = true;
                // Under the lock the supervisor announces under: the reconnection is buffered before this message, whoever announces it.
                lock (_stateGate)
                {
                    if (_pendingReconnection is not null && TryAdoptLocked(connection, mustBeLive: true))
                    {
                        AnnounceReconnectionLocked();
                    }
                }
            }
            var streamEvent = _decoder.Decode(message, connection.LastMessageType, connection.TakeSkippedMessage(), DateTimeOffset.UtcNow);
            Accept(streamEvent, connection);
        }
        catch (Exception exception)
        {
            Fail(exception as KallglotException ?? StreamFailures.ReceiveFailed(_session, exception, EventsReceived));
            connection.Abort(byClient: true, "the stream failed");
        }
    }

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Accept(KallglotEvent streamEvent, WebSocketConnection connection)
    {
        if (streamEvent is SessionReadyEvent && ReadyAt is null)
        {
            ReadyAt = streamEvent.ReceivedAt;
            _ready.TrySetResult();
        }
        if (!_buffer.Add(streamEvent) && streamEvent is AudioOutputEvent && _buffer.Dropped == 1)
        {
            _diagnostics.Log($"unread events passed {_options.MaxBufferBytes / (1024 * 1024)} MB: translated audio is being dropped until they are read");
        }
        if (streamEvent is not SessionEndedEvent ended)
        {
            return;
        }
        lock (_stateGate)
        {
            EndReason = ended.Reason;
            _sessionEnded = true;
            if (_state is KallglotStreamState.Connecting or KallglotStreamState.Open or KallglotStreamState.Reconnecting)
            {
                SetStateLocked(KallglotStreamState.Ended);
            }
        }
        _diagnostics.Log($"session ended ({ended.Reason ?? "no reason given"}) after {EventsReceived} events; closing the connection");
        _ = CloseAfterSessionEndedAsync(connection);
    }

    private async Task CloseAfterSessionEndedAsync(WebSocketConnection connection)
    {
        // As the API's own sample does on session.ended; the server's last frames are still read.
        try
        {
            var end = await connection.CloseAsync(_options.CloseTimeout, "session ended").ConfigureAwait(false);
            _diagnostics.Log($"connection closed after the session ended: {end.Description}");
        }
        catch (Exception exception)
        {
            // Fire-and-forget from the receive loop: nothing may escape unobserved; the connection ends either way.
            _diagnostics.Log($"closing after the session ended failed ({exception.GetType().Name}); the connection is aborted");
            connection.Abort(byClient: true, "close after session.ended failed");
        }
    }

    /// <summary>
    /// Ends a gap (under the state lock): announces the reconnection once, from whichever comes first,
    /// the reopened connection's first message or the supervisor seeing the connection open.
    /// </summary>
    private void AnnounceReconnectionLocked()
    {
        if (_pendingReconnection is not { } gap)
        {
            return;
        }
        _pendingReconnection = null;
        var now = DateTimeOffset.UtcNow;
        // Counted with the state turning Open under the lock that counts a refused frame and hands a frame the socket: every
        // frame refused in this gap, or still on the lost connection's socket, is in this report, and none after it. Buffered
        // under it too (the buffer runs no continuation inline).
        _buffer.Add(_decoder.Reconnected(now - gap.LostAt, gap.Attempts, gap.Number, _framesNotSent.TakeForReportLocked(), gap.LostBecause, now));
    }

    /// <summary>
    /// Makes a reopened connection the stream's (under the state lock), from the supervisor or from
    /// the connection's first message, whichever runs first: a message read proves it open, and frames
    /// may go out on it from then on. False when the stream is closing and the connection is not wanted,
    /// or, with <paramref name="mustBeLive"/>, when the connection has already ended (a message it
    /// delivered late must not make it the stream's).
    /// </summary>
    private bool TryAdoptLocked(WebSocketConnection connection, bool mustBeLive)
    {
        if (ReferenceEquals(_connection, connection))
        {
            return true;
        }
        if (_closeRequested || _state != KallglotStreamState.Reconnecting || (mustBeLive && connection.Ended.IsCompleted))
        {
            return false;
        }
        _connection = connection;
        _reconnects++;
        SetStateLocked(KallglotStreamState.Open);
        return true;
    }

    private void Fail(KallglotException cause)
    {
        WebSocketConnection? connection;
        lock (_stateGate)
        {
            if (_finished || _state == KallglotStreamState.Failed)
            {
                return;
            }
            connection = _connection;
            FailLocked(cause as KallglotStreamException ?? new KallglotStreamException(cause.ErrorId, cause.Kind, cause.Message, cause) { RecommendedAction = cause.RecommendedAction });
        }
        _diagnostics.Log(Failure!.Message);
        CancelLifetime();
        _buffer.Complete(Failure);
        connection?.Abort(byClient: true, $"the stream failed ({cause.ErrorId})");
    }

    private void Finish(ReconnectVerdict verdict, ConnectionEnd end)
    {
        lock (_stateGate)
        {
            _connection = null;
            if (_finished)
            {
                return;
            }
            _finished = true;
            if (_state != KallglotStreamState.Failed)
            {
                if (StreamFailures.ForVerdict(verdict, end, _session, EventsReceived, _policy.MaxAttempts) is { } failure)
                {
                    FailLocked(failure);
                }
                else
                {
                    SetStateLocked(verdict == ReconnectVerdict.SessionEnded || _state == KallglotStreamState.Ended ? KallglotStreamState.Ended : KallglotStreamState.Closed);
                }
            }
        }
        _diagnostics.Log(Failure?.Message ?? $"stream over: {State} ({end.Description})");
        CancelLifetime();
        _buffer.Complete(Failure);
        if (_recorder is null)
        {
            _completion.TrySetResult();
            return;
        }
        // Nothing more can be received or sent: the recording is closed before the stream counts as complete, so that a stream
        // left undisposed does not hold it open and a script may move it once Completion is set.
        _ = CloseRecordingThenCompleteAsync(_recorder);
    }

    private async Task CloseRecordingThenCompleteAsync(StreamRecorder recorder)
    {
        // A frame whose send ended well is recorded before its send lets go of the send lock (at once unless one is under way,
        // and that one ends with its connection): it is in the recording.
        await _sender.WhenIdleAsync().ConfigureAwait(false);
        recorder.Dispose();
        _completion.TrySetResult();
    }

    private void FailLocked(KallglotStreamException failure)
    {
        // Background sends' own error events can no longer reach a reader: the failure names them instead.
        Failure = new KallglotStreamException(failure.ErrorId, failure.Kind, failure.Message + _backgroundSends.DescribeInterrupted(), failure.InnerException)
        {
            RecommendedAction = failure.RecommendedAction,
            EventsReceived = EventsReceived,
        };
        SetStateLocked(KallglotStreamState.Failed);
    }

    private void SetStateLocked(KallglotStreamState state)
    {
        _state = state;
        var changed = _stateChanged;
        _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private void CancelLifetime()
    {
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already over.
        }
    }

    private ValueTask<WebSocket> WaitUntilSendableAsync(bool audioFrame, CancellationToken cancellationToken)
    {
        // An open stream, the case of nearly every frame, hands its socket over without an allocation.
        lock (_stateGate)
        {
            if (TryHandSocketLocked(audioFrame) is { } socket)
            {
                return ValueTask.FromResult(socket);
            }
        }
        return new ValueTask<WebSocket>(WaitThroughReconnectionAsync(audioFrame, cancellationToken));
    }

    /// <summary>The socket to send on while the stream is open, an audio frame counted as handed to it; null otherwise.</summary>
    private WebSocket? TryHandSocketLocked(bool audioFrame)
    {
        if (_state != KallglotStreamState.Open || _connection?.SendableSocket is not { } socket)
        {
            return null;
        }
        if (audioFrame)
        {
            _framesNotSent.FrameHandedSocketLocked();
        }
        return socket;
    }

    private async Task<WebSocket> WaitThroughReconnectionAsync(bool audioFrame, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _options.SendReconnectWait;
        while (true)
        {
            Task changed;
            TimeSpan remaining;
            lock (_stateGate)
            {
                if (TryHandSocketLocked(audioFrame) is { } socket)
                {
                    return socket;
                }
                switch (_state)
                {
                    case KallglotStreamState.Ended:
                        throw StreamFailures.CannotSend($"session {SessionId} has ended ({EndReason ?? "no reason given"})", "Create a new session to send more audio.", EventsReceived);
                    case KallglotStreamState.Closed:
                        throw StreamFailures.CannotSend($"the stream of session {SessionId} was closed", "Open it again with Connect-KallglotStream while the token is valid, or create a new session.", EventsReceived);
                    case KallglotStreamState.Failed:
                        throw StreamFailures.CannotSend($"the stream of session {SessionId} failed: {Failure?.Message}", "Create a new session.", EventsReceived);
                }
                changed = _stateChanged.Task;
                remaining = deadline - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    long? framesNotSent = null;
                    if (audioFrame)
                    {
                        // Counted under the state lock: a reconnection opens under it too, so the frame is in this gap's report, never the next.
                        _framesNotSent.CountRefusedLocked();
                        framesNotSent = FramesNotSent;
                    }
                    throw StreamFailures.NotReopenedInTime(SessionId, _options.SendReconnectWait, framesNotSent, EventsReceived);
                }
            }
            // Between a loss and the policy's decision the state still says open: a short bounded wait for the next change.
            await Task.WhenAny(changed, Task.Delay(remaining < TimeSpan.FromMilliseconds(50) ? remaining : TimeSpan.FromMilliseconds(50), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private sealed record PendingReconnection(DateTimeOffset LostAt, int Attempts, string LostBecause, int Number);
}
