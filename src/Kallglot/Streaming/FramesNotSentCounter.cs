namespace Kallglot.Streaming;

/// <summary>
/// The stream's count of audio frames that did not go out, kept so that each is reported with the
/// connection gap it fell in: a frame refused while the stream reconnects, a frame whose send the
/// connection broke under, and a frame still on a lost connection's socket when the reopened one is
/// reported. The last one is counted by the report, whatever its send says later: on a loaded machine
/// that send can end after the reconnection delay and the handshake, and would otherwise fall in the
/// next gap's report.
/// </summary>
/// <remarks>
/// Runs under the stream's state lock, the lock under which a frame is handed the socket and a
/// reconnection is reported: the methods named <c>Locked</c> are called holding it, and
/// <see cref="SettleSend"/> takes it. <see cref="Total"/> may be read from anywhere.
/// </remarks>
internal sealed class FramesNotSentCounter
{
    private readonly object _gate;
    private long _total;
    private long _totalAtLastReport;
    private bool _frameOnSocket;

    /// <param name="gate">The lock under which frames are handed the socket and reconnections are reported.</param>
    public FramesNotSentCounter(object gate)
    {
        _gate = gate;
    }

    /// <summary>Every audio frame not sent so far.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>A frame has been handed the socket; its send ends in <see cref="SettleSend"/>.</summary>
    public void FrameHandedSocketLocked() => _frameOnSocket = true;

    /// <summary>A frame that was never handed a socket: the connection was not reopened in time.</summary>
    public void CountRefusedLocked() => Interlocked.Increment(ref _total);

    /// <summary>
    /// The send of the frame on the socket has ended with <paramref name="outcome"/>. Returns what it
    /// counts as: <see cref="FrameSendOutcome.Broken"/> when a reconnection report counted the frame
    /// already, because its connection was lost and replaced before its send ended.
    /// </summary>
    public FrameSendOutcome SettleSend(FrameSendOutcome outcome)
    {
        lock (_gate)
        {
            if (!_frameOnSocket)
            {
                return FrameSendOutcome.Broken;
            }
            _frameOnSocket = false;
            if (outcome == FrameSendOutcome.Broken)
            {
                Interlocked.Increment(ref _total);
            }
            return outcome;
        }
    }

    /// <summary>
    /// Frames not sent since the last report: what the gap that a reopened connection ends cost. A frame
    /// still on the lost connection's socket is one of them: it is counted here, once.
    /// </summary>
    public long TakeForReportLocked()
    {
        if (_frameOnSocket)
        {
            _frameOnSocket = false;
            Interlocked.Increment(ref _total);
        }
        var total = Total;
        var sinceLastReport = total - _totalAtLastReport;
        _totalAtLastReport = total;
        return sinceLastReport;
    }
}
