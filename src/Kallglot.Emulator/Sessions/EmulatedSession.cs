using System.Text.Json.Nodes;
using Kallglot.Emulator.Streaming;

namespace Kallglot.Emulator.Sessions;

/// <summary>A session the emulator created: its token, its routing, its status and what its stream has seen.</summary>
public sealed class EmulatedSession
{
    private readonly object _gate = new();
    private StreamConnection? _connection;
    private TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSequence;

    internal EmulatedSession(string id, string token, DateTimeOffset createdAt, DateTimeOffset expiresAt, JsonObject routing, string provider, string? sourceLanguage, string? targetLanguage, JsonObject? metadata)
    {
        Id = id;
        Token = token;
        TokenExpiresAt = expiresAt;
        Routing = routing;
        Provider = provider;
        SourceLanguage = sourceLanguage;
        TargetLanguage = targetLanguage;
        Metadata = metadata;
        CreatedAt = createdAt;
    }

    public string Id { get; }
    public string Token { get; }
    public DateTimeOffset TokenExpiresAt { get; }
    public JsonObject Routing { get; }
    public string Provider { get; }
    public string? SourceLanguage { get; }
    public string? TargetLanguage { get; }
    public JsonObject? Metadata { get; }
    public DateTimeOffset CreatedAt { get; }
    public SessionStatus Status { get; private set; } = SessionStatus.Created;

    /// <summary>The status as the API writes it.</summary>
    public string StatusText => Status.ToString().ToLowerInvariant();
    public string? EndReason { get; private set; }
    internal long Connections;
    internal long Handshakes;
    internal long CleanCloses;
    internal long AbortedConnections;
    internal long FramesReceived;
    internal long FramesDroppedBeforeReady;
    internal long AudioBytesReceived;
    internal long ErrorsSent;
    internal long EventsSent;
    // The idle watch's checks that left the session running: a test moving a fake clock waits for the check of the time it set.
    internal long IdleChecksKept;
    internal int UtteranceCount;
    internal int Accepting;

    internal HashSet<string> Speakers { get; } = new(StringComparer.Ordinal);

    public long LastSequence => Interlocked.Read(ref _lastSequence);

    internal StreamConnection? Connection
    {
        get
        {
            lock (_gate)
            {
                return _connection;
            }
        }
    }

    /// <summary>Makes <paramref name="connection"/> the session's one connection, returning the one it replaces.</summary>
    internal StreamConnection? Attach(StreamConnection connection)
    {
        lock (_gate)
        {
            var previous = _connection;
            _connection = connection;
            if (Status != SessionStatus.Ended)
            {
                Status = SessionStatus.Active;
            }
            Interlocked.Increment(ref Connections);
            _attached.TrySetResult();
            return previous;
        }
    }

    internal void Detach(StreamConnection connection)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_connection, connection))
            {
                _connection = null;
                _attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>
    /// The connection, waiting up to <paramref name="timeout"/> for one being accepted: a client sees
    /// the upgrade a moment before the server has attached the socket, and a control call made at once must not miss it.
    /// </summary>
    internal async Task<StreamConnection?> WaitForConnectionAsync(TimeSpan timeout)
    {
        Task attached;
        lock (_gate)
        {
            if (_connection is not null || Status == SessionStatus.Ended || Volatile.Read(ref Accepting) == 0)
            {
                return _connection;
            }
            attached = _attached.Task;
        }
        await Task.WhenAny(attached, Task.Delay(timeout)).ConfigureAwait(false);
        return Connection;
    }

    /// <summary>Counts one valid audio frame of <paramref name="speaker"/>.</summary>
    internal void RecordFrame(string speaker, int payloadBytes)
    {
        Interlocked.Increment(ref FramesReceived);
        Interlocked.Add(ref AudioBytesReceived, payloadBytes);
        lock (Speakers)
        {
            Speakers.Add(speaker);
        }
    }

    /// <summary>Accepts <paramref name="sequence"/> when it is above every sequence seen on this session, across connections.</summary>
    internal bool TryAdvanceSequence(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _lastSequence)
            {
                return false;
            }
            _lastSequence = sequence;
            return true;
        }
    }

    internal void End(string reason)
    {
        lock (_gate)
        {
            if (Status != SessionStatus.Ended)
            {
                Status = SessionStatus.Ended;
                EndReason = reason;
            }
        }
    }

    internal JsonObject Describe() => new()
    {
        ["id"] = Id,
        ["status"] = StatusText,
        ["routing"] = Routing.DeepClone(),
        ["endReason"] = EndReason,
        ["connected"] = Connection is not null,
        ["connections"] = Interlocked.Read(ref Connections),
        ["handshakes"] = Interlocked.Read(ref Handshakes),
        ["cleanCloses"] = Interlocked.Read(ref CleanCloses),
        ["abortedConnections"] = Interlocked.Read(ref AbortedConnections),
        ["framesReceived"] = Interlocked.Read(ref FramesReceived),
        ["framesDroppedBeforeReady"] = Interlocked.Read(ref FramesDroppedBeforeReady),
        ["audioBytesReceived"] = Interlocked.Read(ref AudioBytesReceived),
        ["lastSequence"] = LastSequence,
        ["errorsSent"] = Interlocked.Read(ref ErrorsSent),
        ["eventsSent"] = Interlocked.Read(ref EventsSent),
        ["utterances"] = UtteranceCount,
        ["idleChecksKept"] = Interlocked.Read(ref IdleChecksKept),
        ["speakers"] = new JsonArray(SpeakersSnapshot().Select(s => (JsonNode)s).ToArray()),
    };

    private string[] SpeakersSnapshot()
    {
        lock (Speakers)
        {
            return Speakers.ToArray();
        }
    }
}
