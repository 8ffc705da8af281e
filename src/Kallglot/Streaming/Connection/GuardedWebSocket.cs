using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Kallglot.Streaming.Lifecycle;

namespace Kallglot.Streaming.Connection;

/// <summary>
/// The socket Websocket.Client reads through, made by the module's connection factory. It is where
/// the module sees the truth of a connection, whatever the library's events say:
/// <list type="bullet">
/// <item>every end (the server's close frame, a socket error, an abort) completes <see cref="Ended"/>, after every message before it was handed on;</item>
/// <item>a message over the limit is skipped as it is read, so it costs the limit, not its size;</item>
/// <item>once the client has sent its close frame it still reports <see cref="WebSocketState.Open"/>, so the library's
/// loop goes on reading what the server sends in the closing handshake until the server's own close frame.</item>
/// </list>
/// </summary>
internal sealed class GuardedWebSocket : WebSocket
{
    private readonly ClientWebSocket _inner;
    private readonly int _maxMessageBytes;
    private readonly TaskCompletionSource<ConnectionEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _messageBytes;
    private long _skippedMessageBytes;
    private WebSocketMessageType _lastMessageType = WebSocketMessageType.Text;
    private int _closeSent;
    private int _closeRequested;

    public GuardedWebSocket(ClientWebSocket inner, int maxMessageBytes)
    {
        _inner = inner;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Completes once, when the connection is over.</summary>
    public Task<ConnectionEnd> Ended => _ended.Task;

    /// <summary>True once the client has sent its close frame.</summary>
    public bool CloseSent => Volatile.Read(ref _closeSent) == 1;

    /// <inheritdoc />
    public override WebSocketState State => _inner.State == WebSocketState.CloseSent ? WebSocketState.Open : _inner.State;

    /// <inheritdoc />
    public override WebSocketCloseStatus? CloseStatus => _inner.CloseStatus;

    /// <inheritdoc />
    public override string? CloseStatusDescription => _inner.CloseStatusDescription;

    /// <inheritdoc />
    public override string? SubProtocol => _inner.SubProtocol;

    /// <summary>
    /// The type of the message whose last chunk was just read. The library's receive loop reads a whole
    /// message, then hands it on before it reads again, so while a message is handled this is its type.
    /// </summary>
    public WebSocketMessageType LastMessageType => _lastMessageType;

    /// <summary>The size of the message just skipped for being over the limit, once; null when the last message was whole.</summary>
    public long? TakeSkippedMessage()
    {
        var skipped = Interlocked.Exchange(ref _skippedMessageBytes, 0);
        return skipped > 0 ? skipped : null;
    }

    /// <summary>Sends the client's close frame (once) and goes on reading; the server's close frame completes <see cref="Ended"/>.</summary>
    public async Task SendCloseAsync(string description, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _closeRequested, 1);
        if (Interlocked.Exchange(ref _closeSent, 1) == 1 || _inner.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        await _inner.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, description, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the connection at once; counts as the client's close when <paramref name="byClient"/>.</summary>
    public void Abort(bool byClient, string description)
    {
        if (byClient)
        {
            Volatile.Write(ref _closeRequested, 1);
        }
        _ended.TrySetResult(new ConnectionEnd(byClient ? ConnectionEndKind.ClosedByClient : ConnectionEndKind.Lost, description));
        _inner.Abort();
    }

    /// <inheritdoc />
    // Pooled, as below: the library's loop waits here for every message, and each wait would otherwise allocate its state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveChunkAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            return result;
        }
        _messageBytes += result.Count;
        if (_messageBytes <= _maxMessageBytes)
        {
            if (result.EndOfMessage)
            {
                _messageBytes = 0;
                _lastMessageType = result.MessageType;
            }
            return result;
        }
        // Over the limit: the rest is read into the same buffer and thrown away, and the library gets an empty last chunk.
        var total = _messageBytes;
        while (!result.EndOfMessage)
        {
            result = await ReceiveChunkAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result;
            }
            total += result.Count;
        }
        _messageBytes = 0;
        _lastMessageType = result.MessageType;
        Interlocked.Exchange(ref _skippedMessageBytes, total);
        return new ValueWebSocketReceiveResult(0, result.MessageType, endOfMessage: true);
    }

    /// <inheritdoc />
    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, _inner.CloseStatus, _inner.CloseStatusDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    /// <inheritdoc />
    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    /// <inheritdoc />
    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    /// <inheritdoc />
    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        // The library answers a server's close frame here; after the client's own close frame there is nothing left to send.
        if (Interlocked.Exchange(ref _closeSent, 1) == 1 || _inner.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return Task.CompletedTask;
        }
        return _inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
    }

    /// <inheritdoc />
    public override void Abort() => Abort(Volatile.Read(ref _closeRequested) == 1, "aborted");

    /// <inheritdoc />
    public override void Dispose()
    {
        _ended.TrySetResult(new ConnectionEnd(Volatile.Read(ref _closeRequested) == 1 ? ConnectionEndKind.ClosedByClient : ConnectionEndKind.Lost, "connection disposed"));
        _inner.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ValueWebSocketReceiveResult> ReceiveChunkAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ValueWebSocketReceiveResult result;
        try
        {
            result = await _inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            var byClient = Volatile.Read(ref _closeRequested) == 1;
            _ended.TrySetResult(new ConnectionEnd(byClient ? ConnectionEndKind.ClosedByClient : ConnectionEndKind.Lost,
                byClient ? "closed by the client" : Describe(exception)));
            throw;
        }
        if (result.MessageType == WebSocketMessageType.Close)
        {
            var status = _inner.CloseStatus is { } code ? $"close status {(int)code}" : "no close status";
            var description = string.IsNullOrEmpty(_inner.CloseStatusDescription) ? status : $"{status} '{_inner.CloseStatusDescription}'";
            if (Interlocked.Exchange(ref _closeSent, 1) == 1)
            {
                _ended.TrySetResult(new ConnectionEnd(ConnectionEndKind.ClosedByClient, $"closing handshake completed ({description})"));
                return result;
            }
            // The server closed first: answered here, before the end is known, so the server sees a finished handshake, not an abort.
            try
            {
                await _inner.CloseOutputAsync(_inner.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The answer could not go out; the connection is over all the same.
            }
            // A server going away (1001), restarting (1012) or asking to come back later (1013) has not ended the stream: lost, and
            // reopened as a dropped connection is, while the token is valid. Any other close of the server's is final.
            _ended.TrySetResult(_inner.CloseStatus is { } closed && AsksToComeBack(closed)
                ? new ConnectionEnd(ConnectionEndKind.Lost, $"the server went away ({description})", ServerAskedBack: true)
                : new ConnectionEnd(ConnectionEndKind.ClosedByServer, $"closed by the server ({description})"));
        }
        return result;
    }

    private static bool AsksToComeBack(WebSocketCloseStatus status) => (int)status is 1001 or 1012 or 1013;

    private static string Describe(Exception exception)
    {
        var root = exception.GetBaseException();
        return root is OperationCanceledException ? "the connection was cancelled" : $"{root.GetType().Name}: {root.Message}";
    }
}
