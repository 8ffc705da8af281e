using System.Net.WebSockets;
using System.Text;
using Kallglot.Errors;

namespace Kallglot.Streaming;

/// <summary>
/// The stream's outgoing frames: one at a time on the socket, sequence numbers strictly increasing
/// across reconnections (a number is used only by a frame that left), and a count of the frames that
/// could not be sent, so a gap is reported rather than lost in silence.
/// </summary>
internal sealed class OutboundFrameSender : IDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly AudioFrameWriter _frameWriter = new();
    private readonly Func<bool, CancellationToken, Task<WebSocket>> _waitUntilSendable;
    private readonly StreamRecorder? _recorder;
    private readonly string _sessionId;
    private long _sequence;
    private long _framesSent;
    private long _framesNotSent;
    private long _audioBytesSent;
    private long _notSentAtLastReport;

    /// <param name="sessionId">For messages.</param>
    /// <param name="waitUntilSendable">The open socket, waiting through a reconnection; throws when the stream cannot send. Given
    /// true for an audio frame: an audio frame it gives up waiting for it counts (<see cref="CountNotSent"/>) itself, under the
    /// lock that a reconnection opens under, so the frame is reported with the gap it fell in.</param>
    /// <param name="recorder">Records every frame sent, when recording.</param>
    public OutboundFrameSender(string sessionId, Func<bool, CancellationToken, Task<WebSocket>> waitUntilSendable, StreamRecorder? recorder)
    {
        _sessionId = sessionId;
        _waitUntilSendable = waitUntilSendable;
        _recorder = recorder;
    }

    public long LastSequence => Interlocked.Read(ref _sequence);

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long FramesNotSent => Interlocked.Read(ref _framesNotSent);

    public long AudioBytesSent => Interlocked.Read(ref _audioBytesSent);

    /// <summary>Frames not sent since the last call: what one connection gap cost.</summary>
    public long TakeNotSentSinceLastReport()
    {
        var now = FramesNotSent;
        return now - Interlocked.Exchange(ref _notSentAtLastReport, now);
    }

    /// <summary>Counts a frame that could not be sent.</summary>
    public void CountNotSent() => Interlocked.Increment(ref _framesNotSent);

    public async Task<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, string encoding, int sampleRateHz, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(speaker))
        {
            throw new KallglotValidationException("invalid_speaker", "Speaker", "The speaker label is empty. Give a label such as 'caller' or 'agent'.");
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await _waitUntilSendable(true, cancellationToken).ConfigureAwait(false);
            var sequence = _sequence + 1;
            var frame = _frameWriter.Write(sequence, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), speaker, encoding, sampleRateHz, payload.Span);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsBrokenConnection(exception, cancellationToken))
            {
                CountNotSent();
                throw StreamFailures.FrameBroken(_sessionId, sequence, FramesNotSent, exception);
            }
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
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsBrokenConnection(exception, cancellationToken))
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

    public void Dispose() => _sendLock.Dispose();
}
