using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming.Events;
using Websocket.Client;

namespace Kallglot.Streaming;

/// <summary>
/// The open WebSocket stream of a session. Events are read on a background loop into a buffer,
/// in order and complete, and taken from it by the caller's thread; audio frames are sent one at a
/// time with strictly increasing sequence numbers. A lost connection is reopened only while the
/// stream token is still valid; after that the stream fails with an error that says so.
/// </summary>
public sealed class KallglotStream : IAsyncDisposable, IDisposable
{
    private readonly KallglotSession _session;
    private readonly KallglotStreamOptions _options;
    private readonly Channel<KallglotEvent> _events = Channel.CreateUnbounded<KallglotEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly AudioFrameWriter _frameWriter = new();
    private readonly StreamRecorder? _recorder;
    private readonly object _stateGate = new();
    private readonly List<IDisposable> _subscriptions = new();
    private readonly WebsocketClient _client;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<BackgroundAudioSend> _backgroundSends = new();
    private readonly ConcurrentQueue<string> _diagnostics = new();
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KallglotStreamState _state = KallglotStreamState.Connecting;
    private long _eventIndex;
    private long _sequence;
    private long _framesSent;
    private long _framesNotSent;
    private long _audioBytesSent;
    private int _reconnectAttemptsInARow;
    private int _reconnects;
    private HttpStatusCode? _lastHandshakeStatus;
    private string? _lastDisconnectReason;
    private int _disposed;

    private KallglotStream(KallglotSession session, KallglotStreamOptions options)
    {
        _session = session;
        _options = options;
        _recorder = options.RecordPath is null ? null : new StreamRecorder(options.RecordPath);
        _client = new WebsocketClient(session.StreamUriWithToken, logger: null, connectionFactory: OpenSocketAsync)
        {
            Name = $"kallglot-{session.Id}",
            // A quiet minute on a call is normal: only the keep-alive and socket errors find a dead connection.
            ReconnectTimeout = null,
            ErrorReconnectTimeout = options.ReconnectDelay,
            LostReconnectTimeout = options.ReconnectDelay,
            IsReconnectionEnabled = true,
            IsTextMessageConversionEnabled = true,
        };
        _subscriptions.Add(_client.MessageReceived.Subscribe(OnMessage));
        _subscriptions.Add(_client.DisconnectionHappened.Subscribe(OnDisconnection));
        _subscriptions.Add(_client.ReconnectionHappened.Subscribe(OnReconnection));
    }

    /// <summary>Opens the stream of <paramref name="session"/>.</summary>
    /// <exception cref="KallglotStreamException">The token has expired, or the server refused or did not answer.</exception>
    public static async Task<KallglotStream> ConnectAsync(KallglotSession session, KallglotStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        options = (options ?? new KallglotStreamOptions()).Clone();
        if (session.IsTokenExpired)
        {
            var ago = DateTimeOffset.UtcNow - session.TokenExpiresAt;
            throw new KallglotStreamException("stream_token_expired", KallglotErrorKind.InvalidOperation,
                $"The stream token of session {session.Id} expired at {session.TokenExpiresAt:u} ({ago.TotalSeconds:0} s ago), so its stream can no longer be opened. Create a new session with New-KallglotSession and connect within 5 minutes.")
            {
                RecommendedAction = "Create a new session and connect to it promptly.",
            };
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

    /// <summary>Events received so far (all types, including those already read).</summary>
    public long EventsReceived => Interlocked.Read(ref _eventIndex);

    /// <summary>Events received and not yet read.</summary>
    public int EventsPending => _events.Reader.CanCount ? _events.Reader.Count : 0;

    /// <summary>Audio frames sent.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Audio frames that could not be sent (the connection was down); reported, never lost in silence.</summary>
    public long FramesNotSent => Interlocked.Read(ref _framesNotSent);

    /// <summary>Audio payload bytes sent.</summary>
    public long AudioBytesSent => Interlocked.Read(ref _audioBytesSent);

    /// <summary>The last sequence number used.</summary>
    public long LastSequence => Interlocked.Read(ref _sequence);

    /// <summary>How many times a lost connection was reopened.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Why the session ended, from <c>session.ended</c>.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Why the stream failed, when it did.</summary>
    public KallglotStreamException? Failure { get; private set; }

    /// <summary>The file frames are recorded to, when recording.</summary>
    public string? RecordPath => _recorder?.Path;

    /// <summary>Takes the next event without waiting; false when none is buffered.</summary>
    public bool TryReadEvent(out KallglotEvent streamEvent) => _events.Reader.TryRead(out streamEvent!);

    /// <summary>Looks at the next event without taking it, so a caller that fails to deliver it loses nothing.</summary>
    public bool TryPeekEvent(out KallglotEvent streamEvent) => _events.Reader.TryPeek(out streamEvent!);

    /// <summary>
    /// Waits until an event is buffered (true) or the stream is over and drained (false). After a
    /// failure, once every event received before it has been read, throws the failure.
    /// </summary>
    public ValueTask<bool> WaitForEventAsync(CancellationToken cancellationToken = default) => _events.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Sends one <c>audio.input</c> frame and returns its sequence number.</summary>
    /// <exception cref="KallglotValidationException">The speaker label is empty.</exception>
    /// <exception cref="KallglotStreamException">The stream is over, or the frame could not be sent.</exception>
    public async Task<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, CancellationToken cancellationToken = default,
        string encoding = "mulaw", int sampleRateHz = 8000)
    {
        if (string.IsNullOrWhiteSpace(speaker))
        {
            throw new KallglotValidationException("invalid_speaker", "Speaker", "The speaker label is empty. Give a label such as 'caller' or 'agent'.");
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await WaitUntilSendableAsync(cancellationToken).ConfigureAwait(false);
            var sequence = _sequence + 1;
            var frame = _frameWriter.Write(sequence, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), speaker, encoding, sampleRateHz, payload.Span);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                Interlocked.Increment(ref _framesNotSent);
                throw new KallglotStreamException("frame_not_sent", KallglotErrorKind.Connection,
                    $"Audio frame {sequence} could not be sent on session {SessionId}: the connection broke ({exception.Message}). {FramesNotSent} frame(s) not sent so far.", exception)
                {
                    EventsReceived = EventsReceived,
                };
            }
            // The sequence only advances for frames that left: a retried frame keeps the order strictly increasing.
            Interlocked.Exchange(ref _sequence, sequence);
            Interlocked.Increment(ref _framesSent);
            Interlocked.Add(ref _audioBytesSent, payload.Length);
            _recorder?.Write("out", Encoding.UTF8.GetString(frame.Span));
            return sequence;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>True while the connection or a background send of this stream still runs; false once it is closed and everything it started has ended.</summary>
    public bool HasActiveWork => _client.IsRunning || _client.IsStarted || BackgroundSends.Any(send => !send.IsCompleted);

    /// <summary>The files sent in the background of this stream, finished or not.</summary>
    public IReadOnlyList<BackgroundAudioSend> BackgroundSends
    {
        get
        {
            lock (_backgroundSends)
            {
                return _backgroundSends.ToArray();
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="reader"/>'s frames in the background, so events can be received while it
    /// plays. The stream owns the reader from here on. A failure arrives among the events as an
    /// <c>error</c> event with code <c>audio_send_failed</c>, so whoever receives sees it.
    /// </summary>
    public BackgroundAudioSend StartBackgroundSend(MuLawFrameReader reader, string speaker, bool paced)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (string.IsNullOrWhiteSpace(speaker))
        {
            reader.Dispose();
            throw new KallglotValidationException("invalid_speaker", "Speaker", "The speaker label is empty. Give a label such as 'caller' or 'agent'.");
        }
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        var send = new BackgroundAudioSend(reader.Path, speaker, cancellation);
        send.Completion = Task.Run(async () =>
        {
            try
            {
                return await AudioSender.SendAsync(this, reader, speaker, paced, send.Report, cancellation.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (cancellation.IsCancellationRequested && exception is not OperationCanceledException)
            {
                // Closed on purpose while it played: a stop, not a failure to report.
                throw new OperationCanceledException("The stream was closed while the file played.", exception, cancellation.Token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var reason = exception is KallglotException known ? known.Message : $"{exception.GetType().Name}: {exception.Message}";
                _events.Writer.TryWrite(ClientError("audio_send_failed",
                    $"Sending '{Path.GetFileName(reader.Path)}' in the background stopped after {send.Progress?.FramesSent ?? 0} frames: {reason}", DateTimeOffset.UtcNow));
                throw;
            }
            finally
            {
                reader.Dispose();
                cancellation.Dispose();
            }
        });
        lock (_backgroundSends)
        {
            _backgroundSends.Add(send);
        }
        return send;
    }

    /// <summary>Sends a JSON text message as given (no sequence number): for messages the module does not wrap, and for tests of the server.</summary>
    public async Task SendJsonAsync(string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await WaitUntilSendableAsync(cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            _recorder?.Write("out", json);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes the stream cleanly; a close that takes longer than the close timeout aborts the connection. Buffered events can still be read.</summary>
    public async Task CloseAsync()
    {
        // Background sends stop first, so they end as cancelled rather than failing on a closed stream.
        if (Volatile.Read(ref _disposed) == 0)
        {
            _lifetime.Cancel();
        }
        bool wasOpen;
        lock (_stateGate)
        {
            wasOpen = _state is KallglotStreamState.Open or KallglotStreamState.Reconnecting or KallglotStreamState.Connecting or KallglotStreamState.Ended;
            if (_state is not (KallglotStreamState.Ended or KallglotStreamState.Failed))
            {
                SetStateLocked(KallglotStreamState.Closed);
            }
        }
        if (wasOpen && _client.IsStarted)
        {
            try
            {
                // Stop can hang in CloseAsync when the peer never answers the close: bounded, then aborted.
                await _client.Stop(WebSocketCloseStatus.NormalClosure, "client closing").WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is TimeoutException or WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                Log($"close did not complete ({exception.GetType().Name}); aborting the connection");
                _client.NativeClient?.Abort();
            }
        }
        _events.Writer.TryComplete();
        Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        lock (_stateGate)
        {
            if (_state is KallglotStreamState.Open or KallglotStreamState.Reconnecting or KallglotStreamState.Connecting)
            {
                SetStateLocked(KallglotStreamState.Closed);
            }
        }
        _lifetime.Cancel();
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
        _client.Dispose();
        _events.Writer.TryComplete();
        _recorder?.Dispose();
        _lifetime.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{SessionId} ({State}, {EventsReceived} events)";

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        ConnectStartedAt = DateTimeOffset.UtcNow;
        Log($"connecting to {Redactor.RedactUrl(_session.StreamUriWithToken)}");
        try
        {
            await _client.StartOrFail().WaitAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new KallglotStreamException("stream_connect_timeout", KallglotErrorKind.Timeout,
                $"The stream of session {SessionId} did not open within {_options.ConnectTimeout.TotalSeconds:0.#} s. Check the network; the token stays valid until {_session.TokenExpiresAt:u}.", exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw HandshakeFailure(exception);
        }
        lock (_stateGate)
        {
            ConnectedAt = DateTimeOffset.UtcNow;
            SetStateLocked(KallglotStreamState.Open);
        }
        Log("connected");
    }

    private KallglotStreamException HandshakeFailure(Exception exception)
    {
        var root = exception;
        while (root.InnerException is not null && root is not WebSocketException)
        {
            root = root.InnerException;
        }
        var (errorId, kind, advice) = _lastHandshakeStatus switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ("stream_unauthorized", KallglotErrorKind.Authentication,
                "The server refused the stream token (expired, already used or invalid). Create a new session and connect within 5 minutes."),
            HttpStatusCode.NotFound => ("session_not_found", KallglotErrorKind.NotFound, "The server does not know this session. Create a new session."),
            HttpStatusCode.Conflict or HttpStatusCode.Gone => ("session_ended", KallglotErrorKind.Conflict, "The session has already ended. Create a new session."),
            null => ("stream_connect_failed", KallglotErrorKind.Connection, "Check the network and the API base URL."),
            _ => ("stream_connect_failed", KallglotErrorKind.Connection, "Try again; if it persists, create a new session."),
        };
        var status = _lastHandshakeStatus is { } code ? $" (HTTP {(int)code})" : string.Empty;
        return new KallglotStreamException(errorId, kind,
            $"Could not open the stream of session {SessionId}{status}: {Redactor.Redact(root.Message, _session.StreamToken)}. {advice}", exception)
        {
            RecommendedAction = advice,
        };
    }

    private async Task<WebSocket> OpenSocketAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("User-Agent", "Kallglot-PowerShell");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
            _lastHandshakeStatus = null;
            return socket;
        }
        catch
        {
            _lastHandshakeStatus = socket.HttpStatusCode == 0 ? null : socket.HttpStatusCode;
            socket.Dispose();
            throw;
        }
    }

    private void OnMessage(ResponseMessage message)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        KallglotEvent streamEvent;
        if (message.MessageType == WebSocketMessageType.Binary)
        {
            var length = message.Binary?.Length ?? 0;
            _recorder?.Write("in", $"<binary message, {length} bytes>");
            streamEvent = ClientError("binary_message", $"The server sent a binary message of {length} bytes; Kallglot events are JSON text, so it was skipped.", receivedAt);
        }
        else
        {
            var text = message.Text ?? string.Empty;
            if (text.Length > _options.MaxMessageBytes || Encoding.UTF8.GetByteCount(text) > _options.MaxMessageBytes)
            {
                _recorder?.Write("in", $"<text message of {text.Length} characters, over the {_options.MaxMessageBytes}-byte limit>");
                streamEvent = ClientError("message_too_large", $"The server sent a message of {text.Length} characters, over the {_options.MaxMessageBytes}-byte limit; it was skipped.", receivedAt);
            }
            else
            {
                _recorder?.Write("in", text);
                var index = Interlocked.Increment(ref _eventIndex);
                try
                {
                    streamEvent = EventParser.Parse(text, SessionId, index, receivedAt);
                }
                catch (EventParseException exception)
                {
                    streamEvent = ClientError("malformed_event", $"{exception.Message} It was skipped.", receivedAt, index);
                }
            }
        }

        if (streamEvent is SessionReadyEvent && ReadyAt is null)
        {
            ReadyAt = receivedAt;
        }
        _events.Writer.TryWrite(streamEvent);
        if (streamEvent is SessionEndedEvent ended)
        {
            lock (_stateGate)
            {
                EndReason = ended.Reason;
                if (_state is not (KallglotStreamState.Closed or KallglotStreamState.Failed))
                {
                    SetStateLocked(KallglotStreamState.Ended);
                }
            }
            Log($"session ended ({ended.Reason ?? "no reason given"}) after {EventsReceived} events");
            _events.Writer.TryComplete();
        }
    }

    private StreamErrorEvent ClientError(string code, string text, DateTimeOffset receivedAt, long index = 0)
    {
        if (index == 0)
        {
            index = Interlocked.Increment(ref _eventIndex);
        }
        return new StreamErrorEvent
        {
            Type = "error",
            Code = code,
            Message = text,
            SessionId = SessionId,
            Index = index,
            ReceivedAt = receivedAt,
            FromClient = true,
            Json = JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "error", ["code"] = code, ["message"] = text, ["source"] = "client" }),
        };
    }

    private void OnDisconnection(DisconnectionInfo info)
    {
        var reason = DescribeDisconnection(info);
        lock (_stateGate)
        {
            if (_state == KallglotStreamState.Connecting)
            {
                // StartOrFail throws the connect error itself, unless reconnection is cancelled here: then it returns as if connected.
                return;
            }
            if (_state is KallglotStreamState.Closed or KallglotStreamState.Ended or KallglotStreamState.Failed
                || info.Type is DisconnectionType.ByUser or DisconnectionType.Exit)
            {
                info.CancelReconnection = true;
                return;
            }
            _lastDisconnectReason = reason;
            if (info.Type == DisconnectionType.ByServer)
            {
                info.CancelReconnection = true;
                FailLocked("stream_closed_by_server",
                    $"The server closed the stream of session {SessionId} without ending the session ({reason}) after {EventsReceived} events. Events received before it were delivered. Create a new session to continue.");
                return;
            }
            if (_session.IsTokenExpired)
            {
                info.CancelReconnection = true;
                FailLocked("stream_lost",
                    $"The connection to session {SessionId} was lost ({reason}) after {EventsReceived} events. Its stream token expired at {_session.TokenExpiresAt:u}, so it cannot be reopened: create a new session to continue.");
                return;
            }
            if (_reconnectAttemptsInARow >= _options.MaxReconnectAttempts)
            {
                info.CancelReconnection = true;
                FailLocked("stream_lost",
                    $"The connection to session {SessionId} was lost ({reason}) after {EventsReceived} events and could not be reopened in {_options.MaxReconnectAttempts} attempt(s). Check the network, then create a new session.");
                return;
            }
            _reconnectAttemptsInARow++;
            SetStateLocked(KallglotStreamState.Reconnecting);
        }
        Log($"connection lost ({reason}); reopening, attempt {_reconnectAttemptsInARow} of {_options.MaxReconnectAttempts}");
    }

    private void OnReconnection(ReconnectionInfo info)
    {
        if (info.Type == ReconnectionType.Initial)
        {
            return;
        }
        lock (_stateGate)
        {
            if (_state != KallglotStreamState.Reconnecting)
            {
                return;
            }
            _reconnectAttemptsInARow = 0;
            Interlocked.Increment(ref _reconnects);
            SetStateLocked(KallglotStreamState.Open);
        }
        Log($"connection reopened ({Reconnects} reconnection(s) so far)");
    }

    private void FailLocked(string errorId, string message)
    {
        var interrupted = BackgroundSends.Where(send => !send.Completion.IsCompletedSuccessfully).ToList();
        if (interrupted.Count > 0)
        {
            // Their own error events could no longer reach a reader: the stream's failure names them instead.
            message += " Background audio stopped: " + string.Join("; ", interrupted.Select(send => $"'{Path.GetFileName(send.Path)}' after {send.Progress?.FramesSent ?? 0} frames")) + ".";
        }
        Failure = new KallglotStreamException(errorId, KallglotErrorKind.Connection, message) { EventsReceived = EventsReceived };
        SetStateLocked(KallglotStreamState.Failed);
        Log(message);
        _events.Writer.TryComplete(Failure);
    }

    private void SetStateLocked(KallglotStreamState state)
    {
        _state = state;
        var changed = _stateChanged;
        _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private async Task<WebSocket> WaitUntilSendableAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _options.SendReconnectWait;
        while (true)
        {
            Task changed;
            lock (_stateGate)
            {
                switch (_state)
                {
                    case KallglotStreamState.Open when _client.NativeClient is { State: WebSocketState.Open } socket:
                        return socket;
                    case KallglotStreamState.Ended:
                        throw Closed($"session {SessionId} has ended ({EndReason ?? "no reason given"})", "Create a new session to send more audio.");
                    case KallglotStreamState.Closed:
                        throw Closed($"the stream of session {SessionId} was closed", "Open it again with Connect-KallglotStream while the token is valid, or create a new session.");
                    case KallglotStreamState.Failed:
                        throw Closed($"the stream of session {SessionId} failed: {Failure?.Message}", "Create a new session.");
                }
                changed = _stateChanged.Task;
            }
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                Interlocked.Increment(ref _framesNotSent);
                throw new KallglotStreamException("frame_not_sent", KallglotErrorKind.Connection,
                    $"The connection of session {SessionId} was not reopened within {_options.SendReconnectWait.TotalSeconds:0.#} s ({_lastDisconnectReason ?? "connection down"}); the frame was not sent. {FramesNotSent} frame(s) not sent so far.")
                {
                    EventsReceived = EventsReceived,
                };
            }
            // The state says open while the socket is between connections: a short bounded wait for the next state change.
            await Task.WhenAny(changed, Task.Delay(remaining < TimeSpan.FromMilliseconds(50) ? remaining : TimeSpan.FromMilliseconds(50), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private KallglotStreamException Closed(string what, string advice) =>
        new("stream_closed", KallglotErrorKind.InvalidOperation, $"Cannot send: {what}. {advice}") { RecommendedAction = advice, EventsReceived = EventsReceived };

    private string DescribeDisconnection(DisconnectionInfo info)
    {
        var parts = new List<string> { info.Type.ToString().ToLowerInvariant() };
        if (info.CloseStatus is { } status)
        {
            parts.Add($"close status {(int)status} {status}");
        }
        if (!string.IsNullOrEmpty(info.CloseStatusDescription))
        {
            parts.Add($"'{info.CloseStatusDescription}'");
        }
        if (info.Exception is { } exception)
        {
            parts.Add(Redactor.Redact(exception.GetBaseException().Message, _session.StreamToken));
        }
        return string.Join(", ", parts);
    }

    /// <summary>
    /// Takes the next diagnostic line (connection changes, secrets masked). Lines are kept for
    /// whoever reads the stream next, since the code that opened it may be long gone; the oldest
    /// are dropped beyond 1,000.
    /// </summary>
    public bool TryReadDiagnostic(out string line) => _diagnostics.TryDequeue(out line!);

    private void Log(string line)
    {
        var text = $"[{SessionId}] {Redactor.Redact(line, _session.StreamToken)}";
        _diagnostics.Enqueue($"{DateTimeOffset.Now:HH:mm:ss.fff} {text}");
        while (_diagnostics.Count > 1000 && _diagnostics.TryDequeue(out _))
        {
        }
        try
        {
            _options.Log?.Invoke(text);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException)
        {
            // A log sink that has gone away must never break the stream's handlers.
        }
    }
}
