using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kallglot.Emulator.Sessions;
using Kallglot.Emulator.Streaming.Outgoing;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// The connection's one writer: everything the server sends goes through its queue, in order, so
/// frames never interleave. It ends after the server's close frame (session.ended or a close alone).
/// </summary>
internal sealed class EventWriter
{
    private readonly Channel<OutgoingMessage> _queue = Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly WebSocket _socket;
    private readonly EmulatedSession _session;
    private readonly EmulatorOptions _options;
    private readonly FaultInjector _faults;
    private readonly Func<bool> _tryBeginEnding;
    private readonly CancellationTokenSource _lifetime;

    /// <param name="tryBeginEnding">True for the one caller that may end the session (its end is sent once).</param>
    /// <param name="lifetime">The connection's; cancelled a moment after the server's close frame, should the client never answer.</param>
    public EventWriter(WebSocket socket, EmulatedSession session, EmulatorOptions options, FaultInjector faults, Func<bool> tryBeginEnding, CancellationTokenSource lifetime)
    {
        _socket = socket;
        _session = session;
        _options = options;
        _faults = faults;
        _tryBeginEnding = tryBeginEnding;
        _lifetime = lifetime;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = EmulatorJson.EncoderFor(options.JsonEscaping) });
    }

    public void Enqueue(OutgoingMessage message) => _queue.Writer.TryWrite(message);

    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync()
    {
        var token = _lifetime.Token;
        await foreach (var message in _queue.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            await _faults.WaitOutStallAsync(token).ConfigureAwait(false);
            switch (message)
            {
                case EventMessage(var type, var fields):
                    await SendEventAsync(type, fields).ConfigureAwait(false);
                    break;
                case VerbatimMessage(var bytes, var binary):
                    await _socket.SendAsync(bytes, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, token).ConfigureAwait(false);
                    Interlocked.Increment(ref _session.EventsSent);
                    break;
                case PauseMessage(var duration):
                    await Task.Delay(duration, token).ConfigureAwait(false);
                    break;
                case FillerMessage(var bytes, var binary):
                    await SendFillerAsync(bytes, binary).ConfigureAwait(false);
                    break;
                case FloodMessage flood:
                    await FloodAsync(flood).ConfigureAwait(false);
                    if (flood.EndAfter && _tryBeginEnding())
                    {
                        Enqueue(OutgoingMessage.EndSession("flood_complete"));
                    }
                    break;
                case CloseMessage(var status):
                    await _socket.CloseOutputAsync((WebSocketCloseStatus)status, "closing", token).ConfigureAwait(false);
                    _lifetime.CancelAfter(TimeSpan.FromSeconds(5));
                    return;
                case EndSessionMessage(var reason):
                    await EndAsync(reason).ConfigureAwait(false);
                    return;
            }
        }
    }

    private async Task EndAsync(string reason)
    {
        await SendEventAsync("session.ended", w => w.WriteString("reason", reason)).ConfigureAwait(false);
        _session.End(reason);
        for (var i = 1; i <= _options.EventsAfterSessionEnded; i++)
        {
            await Task.Delay(_options.ClosingHandshakeInterval, _lifetime.Token).ConfigureAwait(false);
            var number = i;
            await SendEventAsync("transcript.final", w =>
            {
                w.WriteString("speaker", "caller");
                w.WriteString("text", $"after the end {number}");
            }).ConfigureAwait(false);
        }
        if (_options.CloseAfterSessionEnded > TimeSpan.Zero)
        {
            await Task.Delay(_options.CloseAfterSessionEnded, _lifetime.Token).ConfigureAwait(false);
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

    private async Task FloodAsync(FloodMessage flood)
    {
        var silence = new byte[TranslatedAudioPlayer.FrameBytes];
        silence.AsSpan().Fill(0xFF);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < flood.Count; i++)
        {
            if (flood.Interval > TimeSpan.Zero)
            {
                // Spaced on an absolute schedule, so latency is measured on events that do not queue behind each other.
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(i * flood.Interval.TotalSeconds * Stopwatch.Frequency));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _lifetime.Token).ConfigureAwait(false);
                }
            }
            var index = i;
            if (flood.Kind == FloodKind.AudioOutput)
            {
                await SendEventAsync("audio.output", w =>
                {
                    w.WriteNumber("flood_index", index);
                    AudioPayloadJson.Write(w, silence);
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
        await SendEventAsync("emulator.flood_done", w => w.WriteNumber("count", flood.Count)).ConfigureAwait(false);
    }

    private async Task SendEventAsync(string type, Action<Utf8JsonWriter>? fields)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("type", type);
        _json.WriteString("session_id", _session.Id);
        fields?.Invoke(_json);
        _json.WriteNumber("emulator_sent_at_ticks", Stopwatch.GetTimestamp());
        _json.WriteEndObject();
        _json.Flush();
        var payload = _options.JsonEscaping == JsonEscaping.Strict
            ? Encoding.UTF8.GetBytes(EmulatorJson.EscapeSlashes(Encoding.UTF8.GetString(_buffer.WrittenSpan)))
            : _buffer.WrittenMemory;
        await _socket.SendAsync(payload, _options.EventsAsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, _lifetime.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _session.EventsSent);
        if (type == "error")
        {
            Interlocked.Increment(ref _session.ErrorsSent);
        }
    }
}
