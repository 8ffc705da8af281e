using System.Net.WebSockets;
using Kallglot.Errors;
using Kallglot.Streaming;

namespace Kallglot.Tests.Streaming;

public sealed class OutboundFrameSenderTests
{
    [Fact]
    public async Task A_socket_aborted_under_a_send_counts_the_frame_as_not_sent_instead_of_cancelling_the_caller()
    {
        // ClientWebSocket reports an abort during a send as OperationCanceledException although no token was cancelled.
        using var stream = new StreamSide(HeldWebSocket.Aborted());
        var sender = stream.Sender;

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, CancellationToken.None).AsTask());

        Assert.Equal("frame_not_sent", failure.ErrorId);
        Assert.Equal(1, sender.FramesNotSent);
        Assert.Equal(0, sender.LastSequence);
        Assert.Equal(1, stream.Report());
    }

    [Fact]
    public async Task A_json_message_on_a_broken_socket_fails_as_message_not_sent_and_is_not_counted_as_an_audio_frame()
    {
        using var stream = new StreamSide(HeldWebSocket.Aborted());
        var sender = stream.Sender;

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => sender.SendTextAsync("""{"type":"ping"}""", CancellationToken.None));

        Assert.Equal("message_not_sent", failure.ErrorId);
        Assert.Equal(KallglotErrorKind.Connection, failure.Kind);
        Assert.Equal(0, sender.FramesNotSent);
    }

    [Fact]
    public async Task A_send_cancelled_by_its_caller_stays_a_cancellation()
    {
        using var cancellation = new CancellationTokenSource();
        using var stream = new StreamSide(HeldWebSocket.Aborted(), onHandedSocket: cancellation.Cancel);
        var sender = stream.Sender;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, cancellation.Token).AsTask());
        Assert.Equal(0, sender.FramesNotSent);
        Assert.Equal(0, stream.Report());
    }

    [Fact]
    public async Task A_frame_that_went_out_leaves_nothing_for_the_next_gaps_report()
    {
        var socket = new HeldWebSocket();
        using var stream = new StreamSide(socket);
        var sender = stream.Sender;

        var send = sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, CancellationToken.None).AsTask();
        await socket.SendEntered;
        socket.Complete();

        Assert.Equal(1, await send);
        Assert.Equal(1, sender.FramesSent);
        Assert.Equal(0, stream.Report());
        Assert.Equal(0, sender.FramesNotSent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_frame_still_on_a_lost_connections_socket_is_counted_once_in_that_gaps_report_however_its_send_ends_after_the_report(bool sendEndsWell)
    {
        // On a loaded machine the send on a lost connection can end after the reconnection delay and the handshake.
        var socket = new HeldWebSocket();
        using var stream = new StreamSide(socket);
        var sender = stream.Sender;

        var (send, reportedWithTheGap) = await stream.SendThenReportGapAsync(CancellationToken.None);
        if (sendEndsWell)
        {
            socket.Complete();
        }
        else
        {
            socket.Fail(new WebSocketException(WebSocketError.ConnectionClosedPrematurely));
        }

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => send);
        Assert.Equal("frame_not_sent", failure.ErrorId);
        Assert.Equal(1, reportedWithTheGap);
        Assert.Equal(0, stream.Report());
        Assert.Equal(1, sender.FramesNotSent);
        Assert.Equal(0, sender.FramesSent);
        // A frame that may have left keeps its number: the next frame is not given it again.
        Assert.Equal(sendEndsWell ? 1 : 0, sender.LastSequence);
    }

    [Fact]
    public async Task A_send_cancelled_by_its_caller_after_its_gap_reported_it_is_counted_once_by_that_report()
    {
        using var cancellation = new CancellationTokenSource();
        var socket = new HeldWebSocket();
        using var stream = new StreamSide(socket);
        var sender = stream.Sender;

        var (send, reportedWithTheGap) = await stream.SendThenReportGapAsync(cancellation.Token);
        await cancellation.CancelAsync();
        socket.Fail(new OperationCanceledException(cancellation.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(1, reportedWithTheGap);
        Assert.Equal(1, sender.FramesNotSent);
        Assert.Equal(0, stream.Report());
    }

    [Fact]
    public async Task A_frame_lost_on_the_socket_after_its_caller_cancelled_is_counted_as_not_sent()
    {
        using var cancellation = new CancellationTokenSource();
        var socket = new HeldWebSocket();
        using var stream = new StreamSide(socket);
        var sender = stream.Sender;

        var send = sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, cancellation.Token).AsTask();
        await socket.SendEntered;
        await cancellation.CancelAsync();
        // Its send does not take the caller's token (cancelling it would abort the connection); the connection is lost anyway.
        socket.Fail(new OperationCanceledException("The operation was canceled."));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(1, sender.FramesNotSent);
        Assert.Equal(1, stream.Report());
    }

    [Fact]
    public void Frames_refused_while_reconnecting_are_in_the_next_report_and_only_in_it()
    {
        using var stream = new StreamSide(HeldWebSocket.Aborted());

        stream.Refuse();
        stream.Refuse();

        Assert.Equal(2, stream.Report());
        Assert.Equal(0, stream.Report());
    }

    /// <summary>What the stream does around its sender: hands frames the socket and reports gaps, both under its state lock.</summary>
    private sealed class StreamSide : IDisposable
    {
        private readonly object _gate = new();
        private readonly FramesNotSentCounter _notSent;
        private readonly Action? _onHandedSocket;

        public StreamSide(WebSocket socket, Action? onHandedSocket = null)
        {
            _notSent = new FramesNotSentCounter(_gate);
            _onHandedSocket = onHandedSocket;
            Socket = socket;
            Sender = new OutboundFrameSender("s-1", HandSocketAsync, _notSent, recorder: null);
        }

        public WebSocket Socket { get; }

        public OutboundFrameSender Sender { get; }

        /// <summary>Starts a frame's send on a held socket and, while it is on the socket, reports the gap its connection was lost in.</summary>
        public async Task<(Task<long> Send, long ReportedWithTheGap)> SendThenReportGapAsync(CancellationToken cancellationToken)
        {
            var send = Sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, cancellationToken).AsTask();
            await ((HeldWebSocket)Socket).SendEntered.ConfigureAwait(false);
            return (send, Report());
        }

        public void Dispose() => Sender.Dispose();

        /// <summary>What the report of a reopened connection says was not sent in its gap.</summary>
        public long Report()
        {
            lock (_gate)
            {
                return _notSent.TakeForReportLocked();
            }
        }

        /// <summary>A frame that gave up waiting for the connection to reopen.</summary>
        public void Refuse()
        {
            lock (_gate)
            {
                _notSent.CountRefusedLocked();
            }
        }

        private ValueTask<WebSocket> HandSocketAsync(bool audioFrame, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (audioFrame)
                {
                    _notSent.FrameHandedSocketLocked();
                }
            }
            _onHandedSocket?.Invoke();
            return ValueTask.FromResult(Socket);
        }
    }

    /// <summary>A socket whose send ends when the test says.</summary>
    private sealed class HeldWebSocket : WebSocket
    {
        /// <summary>Aborted under the send: ClientWebSocket then reports a cancellation although no token was cancelled.</summary>
        public static HeldWebSocket Aborted()
        {
            var socket = new HeldWebSocket();
            socket.Fail(new OperationCanceledException("The operation was canceled."));
            return socket;
        }

        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendEntered => _entered.Task;

        public void Complete() => _sent.SetResult();

        public void Fail(Exception exception) => _sent.SetException(exception);

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => WebSocketState.Open;

        public override string? SubProtocol => null;

        public override void Abort()
        {
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Dispose()
        {
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            return _sent.Task;
        }
    }
}
