namespace Kallglot.Streaming;

/// <summary>Settings of a stream connection.</summary>
public sealed class KallglotStreamOptions
{
    /// <summary>How long opening the WebSocket may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a lost connection is reopened in a row; only while the stream token is still valid.</summary>
    public int MaxReconnectAttempts { get; set; } = 3;

    /// <summary>The wait before the first attempt to reopen a lost connection; it doubles for each later attempt (with jitter).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait before a reconnection attempt.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// WebSocket ping interval: how a dead connection is found during quiet moments of a call. A
    /// connection that answers no ping for about three intervals is treated as lost (.NET 9 and later);
    /// zero turns pings off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most memory unread events may hold; over it, translated audio is dropped (counted), never transcripts, errors or lifecycle events.</summary>
    public long MaxBufferBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Messages larger than this are skipped as they are read (an error event <c>message_too_large</c>), never held whole.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>When set, every frame in and out is written to this file as one JSON line, flushed at once.</summary>
    public string? RecordPath { get; set; }

    /// <summary>What recording does to an existing <see cref="RecordPath"/>: refuse it (the default), replace it, or append to it.</summary>
    public Files.OutputFileMode RecordMode { get; set; } = Files.OutputFileMode.CreateNew;

    /// <summary>How long the closing handshake may take (the server's last events are read meanwhile) before the connection is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a send of audio (a file, in the foreground or the background) waits for <c>session.ready</c> before its first
    /// frame: a server may drop audio that comes before it. Past this wait the send starts anyway, for a server that sends no
    /// <c>session.ready</c> or sends it only once audio comes. Zero sends at once.
    /// </summary>
    public TimeSpan SessionReadyWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a send waits for a reconnection in progress before the frame counts as not sent.</summary>
    public TimeSpan SendReconnectWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock the token's expiry is judged by; tests pass a fake one and move it instead of waiting.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Allows ws:// to a host that is not loopback.</summary>
    public bool AllowInsecureConnection { get; set; }

    /// <summary>Receives one line per connection change, secrets masked. Called from any thread.</summary>
    public Action<string>? Log { get; set; }

    internal KallglotStreamOptions Clone() => (KallglotStreamOptions)MemberwiseClone();
}
