using System.Net.WebSockets;
using Kallglot.Emulator.Sessions;
using Kallglot.Emulator.Streaming.Outgoing;
using Microsoft.AspNetCore.Connections;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// One accepted WebSocket of a session, as the parts it is made of work together: the read loop
/// (frames checked by <see cref="FrameValidator"/>, speech cut into utterances by
/// <see cref="SpeechSegmentation"/>, words from <see cref="UtteranceScript"/>), one
/// <see cref="EventWriter"/>, a <see cref="TranslatedAudioPlayer"/>, an <see cref="IdleWatch"/> and a
/// <see cref="FaultInjector"/>.
/// </summary>
internal sealed class StreamConnection
{
    private const int MaxIncomingBytes = 1024 * 1024;

    private readonly HttpContext _context;
    private readonly WebSocket _socket;
    private readonly EmulatedSession _session;
    private readonly EmulatorOptions _options;
    private int _finalsSent;
    private readonly CancellationTokenSource _lifetime;
    private readonly FaultInjector _faults;
    private readonly EventWriter _writer;
    private readonly TranslatedAudioPlayer _player;
    private readonly UtteranceScript _script;
    private readonly SpeechSegmentation _speech;
    private readonly IdleWatch _idle;
    private int _ending;
    private int _readySent;
    // Read once, as the connection starts: a control call that changes the options later does not leave it without session.ready.
    private readonly TimeSpan _readyDelay;
    private readonly bool _readyAfterFirstAudio;

    public StreamConnection(HttpContext context, WebSocket socket, EmulatedSession session, EmulatorState state)
    {
        _context = context;
        _socket = socket;
        _session = session;
        _options = state.Options;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _faults = new FaultInjector(context);
        _writer = new EventWriter(socket, session, _options, _faults, TryBeginEnding, _lifetime);
        _player = new TranslatedAudioPlayer(_writer.Enqueue, _options.PaceAudioOutput);
        _script = new UtteranceScript(session, _options.Script);
        _speech = new SpeechSegmentation(OnPartial, OnUtteranceEnded);
        _idle = new IdleWatch(_options.TimeProvider, _options.IdleTimeout, IsBusy, () => Interlocked.Increment(ref session.IdleChecksKept));
        _readyDelay = _options.ReadyDelay;
        _readyAfterFirstAudio = _options.ReadyAfterFirstAudio;
        // Queued before the connection is attached to its session, so that nothing a control call sends can come before it.
        if (_readyDelay <= TimeSpan.Zero && !_readyAfterFirstAudio)
        {
            SendReady();
        }
    }

    public async Task RunAsync()
    {
        // Watching from before session.ready: a test that moves a fake clock once the client is ready moves it for this watch too.
        var idle = EndWhenIdleAsync();
        if (_readyDelay > TimeSpan.Zero && !_readyAfterFirstAudio)
        {
            _ = SendReadyAfterAsync(_readyDelay);
        }
        if (_session.Status == SessionStatus.Ended && TryBeginEnding())
        {
            // Accepted although the session is over (EmulatorOptions.AcceptEndedSessions): ended again at once.
            Enqueue(OutgoingMessage.EndSession(_session.EndReason ?? "ended"));
        }
        var writer = _writer.RunAsync();
        var player = _player.RunAsync(_lifetime.Token);
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
            // The client's close arrived: the writer finishes what is queued, then answers the close.
            await writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            Interlocked.Increment(ref _session.CleanCloses);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or TimeoutException or IOException or ConnectionAbortedException)
        {
            // The connection was dropped or aborted: what follows is clean-up.
            Interlocked.Increment(ref _session.AbortedConnections);
        }
        finally
        {
            _lifetime.Cancel();
            _writer.Complete();
            _player.Complete();
            await Task.WhenAll(Observe(writer), Observe(player), Observe(idle)).ConfigureAwait(false);
            _session.Detach(this);
            _lifetime.Dispose();
        }
    }

    public void Enqueue(OutgoingMessage message) => _writer.Enqueue(message);

    public void Abort()
    {
        _socket.Abort();
        try
        {
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The connection finished between being found and being aborted: nothing is left to abort.
        }
    }

    public void Stall(TimeSpan duration) => _faults.Stall(duration);

    public void BecomeUnresponsive() => _faults.BecomeUnresponsive();

    public void End(string reason) => Enqueue(OutgoingMessage.EndSession(reason));

    private bool TryBeginEnding() => Interlocked.Exchange(ref _ending, 1) == 0;

    private bool IsReady => Volatile.Read(ref _readySent) == 1;

    private void SendReady()
    {
        if (Interlocked.Exchange(ref _readySent, 1) == 1)
        {
            return;
        }
        Enqueue(OutgoingMessage.Event("session.ready", w =>
        {
            w.WriteNumber("timestamp_ms", _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            if (_options.EchoTokenInEvents)
            {
                w.WriteString("websocket_url", $"ws://{_context.Request.Host}/v1/sessions/{_session.Id}/connect?token={_session.Token}");
                w.WriteString("stream_token", _session.Token);
            }
        }));
    }

    private async Task SendReadyAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _lifetime.Token).ConfigureAwait(false);
            SendReady();
        }
        catch (OperationCanceledException)
        {
            // The connection ended before it was ready.
        }
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException or ConnectionAbortedException)
        {
            // Ending with the connection is expected for each loop.
        }
    }

    private async Task EndWhenIdleAsync()
    {
        await _idle.WaitUntilIdleAsync(_lifetime.Token).ConfigureAwait(false);
        if (TryBeginEnding())
        {
            Enqueue(OutgoingMessage.EndSession("idle_timeout"));
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            await _faults.WaitOutStallAsync(_lifetime.Token).ConfigureAwait(false);
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, _lifetime.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    OnClientClose();
                    return;
                }
                if (message.Length + result.Count <= MaxIncomingBytes)
                {
                    message.Write(buffer, 0, result.Count);
                }
            }
            while (!result.EndOfMessage);

            _idle.Touch();
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                SendError("unsupported_message_type", "Binary frames are not accepted: send audio.input JSON text frames.", null);
                continue;
            }
            Handle(FrameValidator.Validate(message.GetBuffer().AsSpan(0, (int)message.Length)));
        }
    }

    /// <summary>Whether the session is doing something the client waits for; asked by the idle watch on each of its ticks.</summary>
    private bool IsBusy()
    {
        // A client that stops sending in mid-utterance has left a silent line: the utterance ends as trailing silence
        // would have ended it, so its final comes and the session can idle out instead of waiting forever. Measured from
        // the end of the audio last heard (a frame of a second is heard for a second), and not while a stall holds frames back.
        if (!_faults.StalledWithin(VoiceActivitySegmenter.SilenceToEnd))
        {
            var time = _options.TimeProvider;
            _speech.FlushIfSilent(time.GetTimestamp(), (long)(VoiceActivitySegmenter.SilenceToEnd.TotalSeconds * time.TimestampFrequency));
        }
        return _player.IsPlaying || _speech.AnyoneSpeaking;
    }

    private void OnClientClose()
    {
        _speech.Flush();
        if (!TryBeginEnding())
        {
            return;
        }
        // The closing handshake: a server may still send its last events before its own close frame.
        for (var i = 1; i <= _options.ClosingHandshakeEvents; i++)
        {
            var number = i;
            Enqueue(OutgoingMessage.Wait(_options.ClosingHandshakeInterval));
            Enqueue(OutgoingMessage.Event("transcript.final", w =>
            {
                w.WriteString("speaker", "caller");
                w.WriteString("text", $"closing final {number}");
                w.WriteNumber("closing_index", number);
            }));
        }
        Enqueue(OutgoingMessage.EndSession("client_closed"));
    }

    private void Handle(FrameVerdict verdict)
    {
        switch (verdict.Kind)
        {
            case FrameVerdictKind.Rejected:
                SendError(verdict.ErrorCode, verdict.ErrorMessage, verdict.Sequence);
                break;
            case FrameVerdictKind.EndRequested:
                _speech.Flush();
                if (TryBeginEnding())
                {
                    Enqueue(OutgoingMessage.EndSession("client_requested"));
                }
                break;
            case FrameVerdictKind.Audio when !_session.TryAdvanceSequence(verdict.Sequence!.Value):
                SendError("invalid_sequence", $"Sequence {verdict.Sequence} is not greater than the last one ({_session.LastSequence}).", verdict.Sequence);
                break;
            case FrameVerdictKind.Audio when !IsReady:
                // Not listening yet: the frame is lost, as a server whose pipeline has not started loses it.
                Interlocked.Increment(ref _session.FramesDroppedBeforeReady);
                if (_readyAfterFirstAudio)
                {
                    SendReady();
                }
                break;
            case FrameVerdictKind.Audio when _options.RejectAudioCode is { } rejected:
                SendError(rejected, "The audio was refused.", verdict.Sequence);
                break;
            case FrameVerdictKind.Audio:
                _session.RecordFrame(verdict.Speaker, verdict.Payload!.Length);
                var time = _options.TimeProvider;
                _speech.Feed(verdict.Speaker, verdict.Payload, time.GetTimestamp(), verdict.Payload.Length * time.TimestampFrequency / 8000);
                break;
        }
    }

    private void OnPartial(string speaker, int speechBlocks)
    {
        var (id, text) = _script.Partial(speaker, speechBlocks);
        Enqueue(OutgoingMessage.Event("transcript.partial", w =>
        {
            w.WriteString("speaker", speaker);
            w.WriteString("text", text);
            w.WriteString("utterance_id", id);
            w.WriteBoolean("is_final", false);
        }));
    }

    private void OnUtteranceEnded(string speaker, byte[] audio, long startMs, long endMs)
    {
        var (id, text, translation) = _script.Final(speaker, TimeSpan.FromMilliseconds(endMs - startMs));
        var target = _session.TargetLanguage ?? "es";
        var translated = ++_finalsSent > _options.UntranslatedFinals;
        Enqueue(OutgoingMessage.Event("transcript.final", w =>
        {
            w.WriteString("speaker", speaker);
            w.WriteString("text", text);
            w.WriteString("utterance_id", id);
            w.WriteNumber("start_ms", startMs);
            w.WriteNumber("end_ms", endMs);
            w.WriteString("source_language", _session.SourceLanguage ?? "en");
            w.WriteString("target_language", target);
            if (translated)
            {
                w.WriteStartObject("translation");
                w.WriteString("text", translation);
                w.WriteString("language", target);
                w.WriteEndObject();
            }
        }));
        _player.Play(id, audio);
    }

    private void SendError(string code, string message, long? sequence) => Enqueue(OutgoingMessage.Event("error", w =>
    {
        w.WriteString("code", code);
        w.WriteString("message", message);
        if (sequence is { } value)
        {
            w.WriteNumber("sequence", value);
        }
    }));
}
