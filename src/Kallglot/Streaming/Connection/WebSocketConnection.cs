using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Reflection;
using Kallglot.Streaming.Lifecycle;
using Websocket.Client;

namespace Kallglot.Streaming.Connection;

/// <summary>
/// One WebSocket connection of a stream: a fresh Websocket.Client for each attempt, with every
/// automatic behaviour of the library off (no reconnection, no idle restart, no retry timer), so
/// the stream's own policy is the only one. Messages go to the handler on the library's receive
/// loop; the end of the connection is read from the socket itself (<see cref="GuardedWebSocket"/>).
/// </summary>
internal sealed class WebSocketConnection : IDisposable
{
    // .NET 9 and later send real pings and abort when no pong comes; .NET 8 only sends unanswered pongs.
    private static readonly PropertyInfo? KeepAliveTimeoutProperty = typeof(ClientWebSocketOptions).GetProperty("KeepAliveTimeout");

    private readonly WebsocketClient _client;
    private readonly IDisposable _subscription;
    private readonly WebSocketConnectionSettings _settings;
    private GuardedWebSocket? _socket;
    private HttpStatusCode? _handshakeStatus;
    private TimeSpan? _retryAfter;
    private int _disposed;

    private WebSocketConnection(Uri uri, WebSocketConnectionSettings settings, Action<ResponseMessage, WebSocketConnection> onMessage)
    {
        _settings = settings;
        _client = new WebsocketClient(uri, logger: null, connectionFactory: OpenSocketAsync)
        {
            Name = "kallglot-stream",
            ReconnectTimeout = null,
            ErrorReconnectTimeout = null,
            LostReconnectTimeout = null,
            IsReconnectionEnabled = false,
            // Text arrives as the bytes read, unconverted: events are parsed from UTF-8, and no string is made of a
            // whole message unless it must be masked or recorded. The socket tells text from binary (LastMessageType).
            IsTextMessageConversionEnabled = false,
            IsStreamDisposedAutomatically = true,
        };
        _subscription = _client.MessageReceived.Subscribe(message => onMessage(message, this));
    }

    /// <summary>Whether this runtime can find a dead peer by its unanswered pings (.NET 9 and later).</summary>
    public static bool DetectsDeadPeers => KeepAliveTimeoutProperty is not null;

    /// <summary>Whether a message of this connection has reached the handler; read and set only by the handler, on the receive loop.</summary>
    public bool HasDeliveredMessage { get; set; }

    /// <summary>The HTTP status of a refused handshake.</summary>
    public HttpStatusCode? HandshakeStatus => _handshakeStatus;

    /// <summary>Completes once, when the connection is over, after every message before its end was handed to the handler.</summary>
    public Task<ConnectionEnd> Ended => _socket?.Ended ?? Task.FromResult(new ConnectionEnd(ConnectionEndKind.Lost, "never opened"));

    /// <summary>The socket to send on, while it is open and the client has not started to close it.</summary>
    public WebSocket? SendableSocket => _socket is { CloseSent: false, State: WebSocketState.Open } socket ? socket : null;

    /// <summary>How the message being handled arrived on the socket, text or binary.</summary>
    public WebSocketMessageType LastMessageType => _socket?.LastMessageType ?? WebSocketMessageType.Text;

    /// <summary>The size of the message just skipped for being over the limit, once.</summary>
    public long? TakeSkippedMessage() => _socket?.TakeSkippedMessage();

    /// <summary>Opens a connection within <paramref name="timeout"/>, the handshake included.</summary>
    /// <exception cref="WebSocketConnectException">The connection could not be opened.</exception>
    public static async Task<WebSocketConnection> OpenAsync(Uri uri, WebSocketConnectionSettings settings, Action<ResponseMessage, WebSocketConnection> onMessage,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = new WebSocketConnection(uri, settings, onMessage);
        // The library's own limit a little later than ours: the caller's timeout is the one that ends the wait.
        connection._client.ConnectTimeout = timeout + TimeSpan.FromSeconds(1);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var start = connection._client.StartOrFail();
        // Given up on by a timeout or a cancellation, the start may still fail later: observed, never left to the finalizer.
        _ = start.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            await start.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception exception)
        {
            var cancelled = exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
            // Opened as the timeout fired: it may already have delivered a message, and been taken into use by it.
            if (!cancelled && start.IsCompletedSuccessfully)
            {
                return connection;
            }
            connection.Dispose();
            if (cancelled)
            {
                throw;
            }
            // However the library words it, an attempt that got no answer for the whole timeout timed out.
            var timedOut = exception is TimeoutException
                || (connection._handshakeStatus is null && System.Diagnostics.Stopwatch.GetElapsedTime(started) >= timeout * 0.95);
            throw new WebSocketConnectException(timedOut, connection._handshakeStatus, exception, connection._retryAfter);
        }
    }

    /// <summary>
    /// The closing handshake: sends the close frame and keeps reading until the server's close frame
    /// or <paramref name="timeout"/>, then aborts. Messages that arrive meanwhile reach the handler.
    /// </summary>
    public async Task<ConnectionEnd> CloseAsync(TimeSpan timeout, string description = "client closing")
    {
        if (_socket is not { } socket)
        {
            return await Ended.ConfigureAwait(false);
        }
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.SendCloseAsync(description, deadline.Token).ConfigureAwait(false);
            return await socket.Ended.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            socket.Abort(byClient: true, deadline.IsCancellationRequested
                ? $"the server did not finish the closing handshake within {timeout.TotalSeconds:0.#} s; aborted"
                : $"the close frame could not be sent ({exception.GetType().Name}); aborted");
            return await socket.Ended.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the connection at once.</summary>
    public void Abort(bool byClient, string description) => _socket?.Abort(byClient, description);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _socket?.Abort(byClient: true, "disposed");
        _subscription.Dispose();
        _client.Dispose();
    }

    private async Task<WebSocket> OpenSocketAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _settings.KeepAliveInterval;
        if (_settings.KeepAliveInterval > TimeSpan.Zero)
        {
            // Unanswered for two more intervals after a ping: about three intervals of silence in all.
            KeepAliveTimeoutProperty?.SetValue(socket.Options, _settings.KeepAliveInterval * 2);
        }
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("User-Agent", "Kallglot-PowerShell");
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _handshakeStatus = socket.HttpStatusCode == 0 ? null : socket.HttpStatusCode;
            _retryAfter = RetryAfterOf(socket.HttpResponseHeaders);
            socket.Dispose();
            throw;
        }
        var guarded = new GuardedWebSocket(socket, _settings.MaxMessageBytes);
        _socket = guarded;
        if (Volatile.Read(ref _disposed) == 1)
        {
            // The handshake finished after the attempt was given up: nobody will read this socket.
            guarded.Abort(byClient: true, "opened after the attempt was given up");
            guarded.Dispose();
            throw new OperationCanceledException("The connection attempt was given up before the handshake finished.");
        }
        return guarded;
    }

    /// <summary>A refused handshake's Retry-After (seconds or a date), as a busy server asks the client to wait.</summary>
    private static TimeSpan? RetryAfterOf(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        foreach (var (name, values) in headers ?? new Dictionary<string, IEnumerable<string>>())
        {
            if (name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase) && RetryConditionHeaderValue.TryParse(values.FirstOrDefault(), out var retryAfter))
            {
                return Http.RetryPolicy.WaitOf(retryAfter);
            }
        }
        return null;
    }
}
