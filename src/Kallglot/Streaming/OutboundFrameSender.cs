using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>
/// The stream's outgoing frames: one at a time on the socket, sequence numbers strictly increasing
/// across reconnections and across the session's streams in this process (a number is used only by a frame that left or may
/// have left), and a count of the frames that
/// could not be sent, so a gap is reported rather than lost in silence.
/// </summary>
internal sealed class OutboundFrameSender : IDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly AudioFrameWriter _frameWriter = new();
    private readonly Func<bool, CancellationToken, ValueTask<WebSocket>> _waitUntilSendable;
    private readonly FramesNotSentCounter _notSent;
    private readonly StreamRecorder? _recorder;
    private readonly string _sessionId;
    // The session's: a later stream of the same session goes on from the last number used, as a server that checks sequence per
    // session (the notes' sample numbers frames by the clock) needs.
    private readonly StrongBox<long> _sequence;
    private long _framesSent;
    private long _audioBytesSent;
    private string? _lastSpeakerChecked;

    /// <param name="sessionId">For messages.</param>
    /// <param name="waitUntilSendable">The open socket, waiting through a reconnection; throws when the stream cannot send. Given
    /// true for an audio frame, it works under the lock that a reconnection is reported under: it tells
    /// <paramref name="notSent"/> when it hands the frame the socket, and counts a frame it gives up waiting for, so that every
    /// frame not sent is reported with the gap it fell in.</param>
    /// <param name="notSent">The stream's count of frames not sent; a frame's send is settled with it once it ends.</param>
    /// <param name="recorder">Records every frame sent, when recording.</param>
    /// <param name="sequence">The last sequence number used on the session, shared by its streams; none for a sender of its own.</param>
    public OutboundFrameSender(string sessionId, Func<bool, CancellationToken, ValueTask<WebSocket>> waitUntilSendable, FramesNotSentCounter notSent, StreamRecorder? recorder,
        StrongBox<long>? sequence = null)
    {
        _sequence = sequence ?? new StrongBox<long>();
        _sessionId = sessionId;
        _waitUntilSendable = waitUntilSendable;
        _notSent = notSent;
        _recorder = recorder;
    }

    public long LastSequence => Interlocked.Read(ref _sequence.Value);

    // Never lowered: another stream of the session (one still reconnecting, say) may have gone further meanwhile.
    private void RaiseSequenceTo(long sequence)
    {
        var seen = Interlocked.Read(ref _sequence.Value);
        while (sequence > seen)
        {
            var before = Interlocked.CompareExchange(ref _sequence.Value, sequence, seen);
            if (before == seen)
            {
                return;
            }
            seen = before;
        }
    }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long FramesNotSent => _notSent.Total;

    public long AudioBytesSent => Interlocked.Read(ref _audioBytesSent);

    // Pooled: a send that waits for its socket would otherwise allocate its state machine, 50 times a second per stream.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, string encoding, int sampleRateHz, CancellationToken cancellationToken)
    {
        // A file's frames carry the same label: it is checked once, not per frame.
        if (!ReferenceEquals(speaker, _lastSpeakerChecked))
        {
            SpeakerLabel.Validate(speaker);
            _lastSpeakerChecked = speaker;
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await _waitUntilSendable(true, cancellationToken).ConfigureAwait(false);
            var sequence = Interlocked.Read(ref _sequence.Value) + 1;
            var outcome = FrameSendOutcome.Cancelled;
            Exception? broken = null;
            ReadOnlyMemory<byte> frame = default;
            var sending = false;
            try
            {
                frame = _frameWriter.Write(sequence, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), speaker, encoding, sampleRateHz, payload.Span);
                cancellationToken.ThrowIfCancellationRequested();
                // Not the caller's token: .NET aborts the whole connection when a send in progress is cancelled, and stopping
                // one file must not cost the stream its connection and closing handshake. A send stuck on a full socket ends
                // when the socket drains or the connection is lost (the close timeout aborts it).
                sending = true;
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                outcome = FrameSendOutcome.Sent;
            }
            // Once the send began, however it ends other than well the frame was lost with its connection, whether or not its
            // caller has cancelled since: it is counted, not taken for a cancellation.
            catch (Exception exception) when (IsBrokenConnection(exception, sending ? CancellationToken.None : cancellationToken))
            {
                outcome = FrameSendOutcome.Broken;
                broken = exception;
            }
            finally
            {
                outcome = _notSent.SettleSend(outcome);
            }
            if (outcome == FrameSendOutcome.Broken)
            {
                if (broken is null)
                {
                    // It may have left before its connection was lost: its number is not given to another frame.
                    RaiseSequenceTo(sequence);
                }
                // Counted as not sent either way; a caller that has cancelled since gets its cancellation.
                cancellationToken.ThrowIfCancellationRequested();
                throw broken is null
                    ? StreamFailures.FrameLostWithConnection(_sessionId, sequence, FramesNotSent)
                    : StreamFailures.FrameBroken(_sessionId, sequence, FramesNotSent, broken);
            }
            RaiseSequenceTo(sequence);
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

    // A socket aborted under a send reports the abort as a cancellation that nobody asked for: the message was lost all the same.
    private static bool IsBrokenConnection(Exception exception, CancellationToken cancellationToken) =>
        exception is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public async Task SendTextAsync(string json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await _waitUntilSendable(false, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Not the caller's token, as for audio frames: a cancelled send in progress would abort the connection.
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsBrokenConnection(exception, CancellationToken.None))
            {
                throw StreamFailures.MessageBroken(_sessionId, exception);
            }
            _recorder?.Write("out", json);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Completes once no send is under way (a send that starts later finds the stream over and sends nothing).</summary>
    public async Task WhenIdleAsync()
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        _sendLock.Release();
    }

    public void Dispose() => _sendLock.Dispose();
}
