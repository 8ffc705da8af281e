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
        using var sender = new OutboundFrameSender("s-1", (_, _) => Task.FromResult<WebSocket>(new AbortedWebSocket()), recorder: null);

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, CancellationToken.None));

        Assert.Equal("frame_not_sent", failure.ErrorId);
        Assert.Equal(1, sender.FramesNotSent);
        Assert.Equal(0, sender.LastSequence);
    }

    [Fact]
    public async Task A_json_message_on_a_broken_socket_fails_as_message_not_sent_and_is_not_counted_as_an_audio_frame()
    {
        using var sender = new OutboundFrameSender("s-1", (_, _) => Task.FromResult<WebSocket>(new AbortedWebSocket()), recorder: null);

        var failure = await Assert.ThrowsAsync<KallglotStreamException>(() => sender.SendTextAsync("""{"type":"ping"}""", CancellationToken.None));

        Assert.Equal("message_not_sent", failure.ErrorId);
        Assert.Equal(KallglotErrorKind.Connection, failure.Kind);
        Assert.Equal(0, sender.FramesNotSent);
    }

    [Fact]
    public async Task A_send_cancelled_by_its_caller_stays_a_cancellation()
    {
        using var cancellation = new CancellationTokenSource();
        using var sender = new OutboundFrameSender("s-1", (_, _) =>
        {
            cancellation.Cancel();
            return Task.FromResult<WebSocket>(new AbortedWebSocket());
        }, recorder: null);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.SendAudioAsync(new byte[160], "caller", "mulaw", 8000, cancellation.Token));
        Assert.Equal(0, sender.FramesNotSent);
    }

    private sealed class AbortedWebSocket : WebSocket
    {
        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => WebSocketState.Aborted;

        public override string? SubProtocol => null;

        public override void Abort()
        {
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Dispose()
        {
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new OperationCanceledException();

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => throw new OperationCanceledException("The operation was canceled.");
    }
}
