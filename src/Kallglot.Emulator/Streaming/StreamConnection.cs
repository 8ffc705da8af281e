using System.Text;
using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Kallglot.Emulator.Sessions;
using Microsoft.AspNetCore.Connections;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// One accepted WebSocket of a session: a read loop that validates frames and segments speech, one
/// writer that sends every event in order, a paced sender of translated audio, and an idle watch.
/// </summary>
internal sealed class StreamConnection
{
    private const int FrameBytes = 160;
    private const int MaxIncomingBytes = 1024 * 1024;

    private readonly HttpContext _context;
    private readonly WebSocket _socket;
    private readonly EmulatedSession _session;
    private readonly EmulatorState _state;
    private readonly Channel<OutgoingMessage> _outgoing = Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<(string UtteranceId, byte[] Audio)> _translatedAudio = Channel.CreateUnbounded<(string, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, VoiceActivitySegmenter> _segmenters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Id, ScriptedUtterance Words)> _currentUtterance = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime;
    private readonly ArrayBufferWriter<byte> _eventBuffer = new(4096);
    private readonly Utf8JsonWriter _eventWriter;
    private long _stallUntil;
    private long _lastActivity = Stopwatch.GetTimestamp();
    private int _pendingOutputFrames;
    private long _outputSequence;
    private int _ending;

    public StreamConnection(HttpContext context, WebSocket socket, EmulatedSession session, EmulatorState state)
    {
        _context = context;
        _socket = socket;
        _session = session;
        _state = state;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _eventWriter = new Utf8JsonWriter(_eventBuffer, new JsonWriterOptions { Encoder = EmulatorJson.EncoderFor(state.Options.JsonEscaping) });
    }

    public async Task RunAsync()
    {
        Enqueue(OutgoingMessage.Event("session.ready", w =>
        {
            w.WriteNumber("timestamp_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (_state.Options.EchoTokenInEvents)
            {
                w.WriteString("websocket_url", $"ws://{_context.Request.Host}/v1/sessions/{_session.Id}/connect?token={_session.Token}");
                w.WriteString("stream_token", _session.Token);
            }
        }));
        if (_session.Status == "ended" && Interlocked.Exchange(ref _ending, 1) == 0)
        {
            // Accepted although the session is over (EmulatorOptions.AcceptEndedSessions): ended again at once.
            Enqueue(OutgoingMessage.EndSession(_session.EndReason ?? "ended"));
        }
        var writer = WriteLoopAsync();
        var output = TranslatedAudioLoopAsync();
        var idle = IdleWatchAsync();
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
            _outgoing.Writer.TryComplete();
            _translatedAudio.Writer.TryComplete();
            await Task.WhenAll(Observe(writer), Observe(output), Observe(idle)).ConfigureAwait(false);
            _session.Detach(this);
            _lifetime.Dispose();
        }
    }

    public void Enqueue(OutgoingMessage message) => _outgoing.Writer.TryWrite(message);

    public void Abort()
    {
        _socket.Abort();
        _context.Abort();
    }

    /// <summary>A half-open peer from now on: nothing read (no ping answered), nothing written, the socket left open.</summary>
    public void BecomeUnresponsive()
    {
        Transport.PausableUpgradeFeature.StreamOf(_context)?.Pause();
        Stall(TimeSpan.FromDays(1));
    }

    public void Stall(TimeSpan duration) =>
        Interlocked.Exchange(ref _stallUntil, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));

    public void End(string reason) => Enqueue(OutgoingMessage.EndSession(reason));

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or ChannelClosedException or ConnectionAbortedException)
        {
            // Ending with the connection is expected for each loop.
        }
    }

    private async Task WaitOutStallAsync()
    {
        var until = Interlocked.Read(ref _stallUntil);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _lifetime.Token).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            await WaitOutStallAsync().ConfigureAwait(false);
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, _lifetime.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    FlushSegmenters();
                    if (Interlocked.Exchange(ref _ending, 1) == 0)
                    {
                        // The closing handshake: a server may still send its last events before its own close frame.
                        for (var i = 1; i <= _state.Options.ClosingHandshakeEvents; i++)
                        {
                            var number = i;
                            Enqueue(OutgoingMessage.Wait(_state.Options.ClosingHandshakeInterval));
                            Enqueue(OutgoingMessage.Event("transcript.final", w =>
                            {
                                w.WriteString("speaker", "caller");
                                w.WriteString("text", $"closing final {number}");
                                w.WriteNumber("closing_index", number);
                            }));
                        }
                        Enqueue(OutgoingMessage.EndSession("client_closed"));
                    }
                    return;
                }
                if (message.Length + result.Count <= MaxIncomingBytes)
                {
                    message.Write(buffer, 0, result.Count);
                }
            }
            while (!result.EndOfMessage);

            Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                SendError("unsupported_message_type", "Binary frames are not accepted: send audio.input JSON text frames.", null);
                continue;
            }
            HandleFrame(message.GetBuffer().AsSpan(0, (int)message.Length));
        }
    }

    private void HandleFrame(ReadOnlySpan<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            SendError("invalid_json", "The frame is not valid JSON.", null);
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
                ? typeElement.GetString()
                : null;
            long? sequence = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("sequence", out var sequenceElement) && sequenceElement.TryGetInt64(out var s) ? s : null;
            switch (type)
            {
                case "audio.input":
                    HandleAudio(root, sequence);
                    break;
                case "session.end":
                    FlushSegmenters();
                    if (Interlocked.Exchange(ref _ending, 1) == 0)
                    {
                        Enqueue(OutgoingMessage.EndSession("client_requested"));
                    }
                    break;
                default:
                    SendError("unknown_message_type", $"Unknown message type '{type}'. Send audio.input frames.", sequence);
                    break;
            }
        }
    }

    private void HandleAudio(JsonElement root, long? sequence)
    {
        if (sequence is null)
        {
            SendError("invalid_sequence", "audio.input needs an integer 'sequence'.", null);
            return;
        }
        var speaker = root.TryGetProperty("speaker", out var speakerElement) && speakerElement.ValueKind == JsonValueKind.String ? speakerElement.GetString() : null;
        if (string.IsNullOrWhiteSpace(speaker))
        {
            SendError("invalid_speaker", "audio.input needs a non-empty 'speaker'.", sequence);
            return;
        }
        if (!root.TryGetProperty("audio", out var audio) || audio.ValueKind != JsonValueKind.Object)
        {
            SendError("invalid_payload", "audio.input needs an 'audio' object.", sequence);
            return;
        }
        var encoding = audio.TryGetProperty("encoding", out var encodingElement) && encodingElement.ValueKind == JsonValueKind.String ? encodingElement.GetString() : null;
        if (encoding != "mulaw")
        {
            SendError("unsupported_encoding", $"Encoding '{encoding}' is not supported: send mulaw.", sequence);
            return;
        }
        if (!audio.TryGetProperty("sample_rate_hz", out var rateElement) || !rateElement.TryGetInt32(out var rate) || rate != 8000)
        {
            SendError("unsupported_sample_rate", "Only sample_rate_hz 8000 is supported.", sequence);
            return;
        }
        if (!audio.TryGetProperty("payload", out var payloadElement) || payloadElement.ValueKind != JsonValueKind.String || !payloadElement.TryGetBytesFromBase64(out var payload))
        {
            SendError("invalid_payload", "audio.payload must be base64.", sequence);
            return;
        }
        if (!_session.TryAdvanceSequence(sequence.Value))
        {
            SendError("invalid_sequence", $"Sequence {sequence} is not greater than the last one ({_session.LastSequence}).", sequence);
            return;
        }
        Interlocked.Increment(ref _session.FramesReceived);
        Interlocked.Add(ref _session.AudioBytesReceived, payload.Length);
        lock (_session.Speakers)
        {
            _session.Speakers.Add(speaker);
        }
        SegmenterFor(speaker).Feed(payload);
    }

    private VoiceActivitySegmenter SegmenterFor(string speaker)
    {
        if (_segmenters.TryGetValue(speaker, out var segmenter))
        {
            return segmenter;
        }
        segmenter = new VoiceActivitySegmenter();
        segmenter.PartialReady += speechBlocks => OnPartial(speaker, speechBlocks);
        segmenter.UtteranceEnded += (audio, start, end) => OnUtteranceEnded(speaker, audio, start, end);
        _segmenters[speaker] = segmenter;
        return segmenter;
    }

    private void FlushSegmenters()
    {
        foreach (var segmenter in _segmenters.Values)
        {
            segmenter.Flush();
        }
    }

    private (string Id, ScriptedUtterance Words) CurrentUtterance(string speaker, double seconds)
    {
        if (_currentUtterance.TryGetValue(speaker, out var current))
        {
            return current;
        }
        var number = Interlocked.Increment(ref _session.UtteranceCount);
        var script = _state.Options.Script;
        var target = _session.TargetLanguage ?? "es";
        var words = script.Count > 0
            ? script[(number - 1) % script.Count]
            : new ScriptedUtterance($"utterance {number} from {speaker}", $"[{target}] utterance {number} from {speaker}");
        current = ($"utt_{number}", words);
        _currentUtterance[speaker] = current;
        return current;
    }

    private void OnPartial(string speaker, int speechBlocks)
    {
        var (id, words) = CurrentUtterance(speaker, speechBlocks * 0.02);
        var all = words.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var shown = Math.Clamp(speechBlocks / 25 * 3, 1, Math.Max(1, all.Length - 1));
        var text = string.Join(' ', all.Take(shown));
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
        var (id, words) = CurrentUtterance(speaker, (endMs - startMs) / 1000.0);
        _currentUtterance.Remove(speaker);
        var text = _state.Options.Script.Count > 0 ? words.Text : $"{words.Text}, {(endMs - startMs) / 1000.0:0.00} s";
        var translation = _state.Options.Script.Count > 0 ? words.Translation : $"{words.Translation}, {(endMs - startMs) / 1000.0:0.00} s";
        Enqueue(OutgoingMessage.Event("transcript.final", w =>
        {
            w.WriteString("speaker", speaker);
            w.WriteString("text", text);
            w.WriteString("utterance_id", id);
            w.WriteNumber("start_ms", startMs);
            w.WriteNumber("end_ms", endMs);
            w.WriteString("source_language", _session.SourceLanguage ?? "en");
            w.WriteString("target_language", _session.TargetLanguage ?? "es");
            w.WriteStartObject("translation");
            w.WriteString("text", translation);
            w.WriteString("language", _session.TargetLanguage ?? "es");
            w.WriteEndObject();
        }));
        Interlocked.Add(ref _pendingOutputFrames, (audio.Length + FrameBytes - 1) / FrameBytes);
        _translatedAudio.Writer.TryWrite((id, audio));
    }

    private void SendError(string code, string message, long? sequence)
    {
        Enqueue(OutgoingMessage.Event("error", w =>
        {
            w.WriteString("code", code);
            w.WriteString("message", message);
            if (sequence is { } value)
            {
                w.WriteNumber("sequence", value);
            }
        }));
    }

    private async Task TranslatedAudioLoopAsync()
    {
        var frameTicks = Stopwatch.Frequency / 50.0;
        await foreach (var (utteranceId, audio) in _translatedAudio.Reader.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
        {
            var started = Stopwatch.GetTimestamp();
            var frames = (audio.Length + FrameBytes - 1) / FrameBytes;
            for (var i = 0; i < frames; i++)
            {
                if (_state.Options.PaceAudioOutput)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(i * frameTicks));
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _lifetime.Token).ConfigureAwait(false);
                    }
                }
                var payload = new byte[FrameBytes];
                payload.AsSpan().Fill(0xFF);
                audio.AsSpan(i * FrameBytes, Math.Min(FrameBytes, audio.Length - (i * FrameBytes))).CopyTo(payload);
                var sequence = Interlocked.Increment(ref _outputSequence);
                Enqueue(OutgoingMessage.Event("audio.output", w =>
                {
                    w.WriteString("utterance_id", utteranceId);
                    w.WriteNumber("sequence", sequence);
                    w.WriteStartObject("audio");
                    w.WriteString("encoding", "mulaw");
                    w.WriteNumber("sample_rate_hz", 8000);
                    w.WriteBase64String("payload", payload);
                    w.WriteEndObject();
                }));
                Interlocked.Decrement(ref _pendingOutputFrames);
            }
        }
    }

    private async Task IdleWatchAsync()
    {
        var idle = _state.Options.IdleTimeout;
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 20, 1000));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
        {
            var quiet = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity));
            var busy = Volatile.Read(ref _pendingOutputFrames) > 0 || _segmenters.Values.Any(s => s.InUtterance);
            if (busy)
            {
                Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());
                continue;
            }
            if (quiet >= idle && Interlocked.Exchange(ref _ending, 1) == 0)
            {
                Enqueue(OutgoingMessage.EndSession("idle_timeout"));
                return;
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
        {
            await WaitOutStallAsync().ConfigureAwait(false);
            if (message.Raw is { } raw)
            {
                await _socket.SendAsync(raw, message.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, _lifetime.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _session.EventsSent);
            }
            else if (message.CloseWithoutEnding)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", _lifetime.Token).ConfigureAwait(false);
                _lifetime.CancelAfter(TimeSpan.FromSeconds(5));
                return;
            }
            else if (message.Pause > TimeSpan.Zero)
            {
                await Task.Delay(message.Pause, _lifetime.Token).ConfigureAwait(false);
            }
            else if (message.FillerBytes > 0)
            {
                await SendFillerAsync(message.FillerBytes, message.Binary).ConfigureAwait(false);
            }
            else if (message.FloodCount > 0)
            {
                await FloodAsync(message.FloodCount, message.FloodInterval, message.FloodKind).ConfigureAwait(false);
                if (message.EndAfterFlood && Interlocked.Exchange(ref _ending, 1) == 0)
                {
                    Enqueue(OutgoingMessage.EndSession("flood_complete"));
                }
            }
            else if (message.CloseReason is { } reason)
            {
                await SendEventAsync("session.ended", w => w.WriteString("reason", reason)).ConfigureAwait(false);
                _session.End(reason);
                if (_state.Options.CloseAfterSessionEnded > TimeSpan.Zero)
                {
                    await Task.Delay(_state.Options.CloseAfterSessionEnded, _lifetime.Token).ConfigureAwait(false);
                }
                using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, closeTimeout.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
                {
                    _socket.Abort();
                }
                _lifetime.CancelAfter(TimeSpan.FromSeconds(5));
                return;
            }
            else
            {
                await SendEventAsync(message.EventType!, message.Fields).ConfigureAwait(false);
            }
        }
    }

    private async Task SendFillerAsync(long bytes, bool binary)
    {
        var piece = new byte[64 * 1024];
        piece.AsSpan().Fill((byte)'x');
        for (var sent = 0L; sent < bytes;)
        {
            var length = (int)Math.Min(piece.Length, bytes - sent);
            sent += length;
            await _socket.SendAsync(piece.AsMemory(0, length), binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: sent == bytes, _lifetime.Token).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _session.EventsSent);
    }

    private async Task FloodAsync(int count, TimeSpan interval, FloodKind kind)
    {
        var silence = new byte[FrameBytes];
        silence.AsSpan().Fill(0xFF);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (interval > TimeSpan.Zero)
            {
                // Spaced on an absolute schedule, so latency is measured on events that do not queue behind each other.
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(i * interval.TotalSeconds * Stopwatch.Frequency));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _lifetime.Token).ConfigureAwait(false);
                }
            }
            var index = i;
            if (kind == FloodKind.AudioOutput)
            {
                await SendEventAsync("audio.output", w =>
                {
                    w.WriteNumber("flood_index", index);
                    w.WriteStartObject("audio");
                    w.WriteString("encoding", "mulaw");
                    w.WriteNumber("sample_rate_hz", 8000);
                    w.WriteBase64String("payload", silence);
                    w.WriteEndObject();
                }).ConfigureAwait(false);
                continue;
            }
            var final = i % 2 == 1;
            await SendEventAsync(final ? "transcript.final" : "transcript.partial", w =>
            {
                w.WriteString("speaker", "caller");
                w.WriteString("text", $"flood {index}");
                w.WriteNumber("flood_index", index);
                if (final)
                {
                    w.WriteStartObject("translation");
                    w.WriteString("text", $"inundación {index}");
                    w.WriteString("language", "es");
                    w.WriteEndObject();
                }
            }).ConfigureAwait(false);
        }
        await SendEventAsync("emulator.flood_done", w => w.WriteNumber("count", count)).ConfigureAwait(false);
    }

    private async Task SendEventAsync(string type, Action<Utf8JsonWriter>? fields)
    {
        _eventBuffer.ResetWrittenCount();
        var writer = _eventWriter;
        writer.Reset(_eventBuffer);
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteString("session_id", _session.Id);
        fields?.Invoke(writer);
        writer.WriteNumber("emulator_sent_at_ticks", Stopwatch.GetTimestamp());
        writer.WriteEndObject();
        writer.Flush();
        var payload = _state.Options.JsonEscaping == JsonEscaping.Strict
            ? Encoding.UTF8.GetBytes(EmulatorJson.EscapeSlashes(Encoding.UTF8.GetString(_eventBuffer.WrittenSpan)))
            : _eventBuffer.WrittenMemory;
        await _socket.SendAsync(payload, WebSocketMessageType.Text, true, _lifetime.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _session.EventsSent);
        if (type == "error")
        {
            Interlocked.Increment(ref _session.ErrorsSent);
        }
    }
}
