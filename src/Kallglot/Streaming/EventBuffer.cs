using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kallglot.Streaming.Events;

namespace Kallglot.Streaming;

/// <summary>
/// The events received and not yet read, in order. Bounded in bytes: over the bound, translated
/// audio is dropped (counted); transcripts, errors and lifecycle events are always kept, since a
/// script can live without a piece of audio but not without a final. One reader at a time.
/// </summary>
internal sealed class EventBuffer
{
    private const int EventOverheadBytes = 256;

    private readonly Channel<KallglotEvent> _channel = Channel.CreateUnbounded<KallglotEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly long _maxBytes;
    private long _bytes;
    private int _count;
    private long _dropped;
    private long _undelivered;
    private int _dropWarningTaken;
    private int _readerHeld;
    private Action? _changed;

    public EventBuffer(long maxBytes)
    {
        _maxBytes = maxBytes;
    }

    /// <summary>Bytes held by unread events (an estimate of their memory).</summary>
    public long BytesHeld => Math.Max(0, Interlocked.Read(ref _bytes));

    /// <summary>
    /// Unread events, all readable now: an event is counted only once it is in the channel (a reader that takes it first
    /// leaves the count a moment below zero, shown as zero), so a script that waits for this many events finds them there.
    /// </summary>
    public int Count => Math.Max(0, Volatile.Read(ref _count));

    /// <summary>audio.output events dropped because the unread events were over the bound.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events that arrived after the stream was over and could not be delivered.</summary>
    public long Undelivered => Interlocked.Read(ref _undelivered);

    /// <summary>Adds <paramref name="streamEvent"/>; false when it was dropped or the buffer is complete (both counted).</summary>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Add(KallglotEvent streamEvent)
    {
        var size = SizeOf(streamEvent);
        if (streamEvent is AudioOutputEvent && Interlocked.Read(ref _bytes) + size > _maxBytes)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        if (!_channel.Writer.TryWrite(streamEvent))
        {
            Interlocked.Increment(ref _undelivered);
            return false;
        }
        Interlocked.Add(ref _bytes, size);
        Interlocked.Increment(ref _count);
        Volatile.Read(ref _changed)?.Invoke();
        return true;
    }

    /// <summary>True once, after the first drop: the moment to warn.</summary>
    public bool TakeDropWarning() => Dropped > 0 && Interlocked.Exchange(ref _dropWarningTaken, 1) == 0;

    /// <summary>No more events; readers get <paramref name="failure"/> once they have read everything before it.</summary>
    public void Complete(Exception? failure = null)
    {
        _channel.Writer.TryComplete(failure);
        Volatile.Read(ref _changed)?.Invoke();
    }

    /// <summary>True once no event is left and none can come.</summary>
    internal bool IsOver => _channel.Reader.Completion.IsCompleted;

    /// <summary>Calls <paramref name="changed"/> (from the receiving thread) after each event added and when the buffer completes; null stops it.</summary>
    internal void NotifyOnChange(Action? changed) => Volatile.Write(ref _changed, changed);

    /// <summary>Takes the reader's place.</summary>
    /// <exception cref="KallglotStreamException">Another reader has it (<c>stream_busy</c>).</exception>
    public KallglotStreamReader OpenReader(string sessionId)
    {
        if (Interlocked.Exchange(ref _readerHeld, 1) == 1)
        {
            throw new KallglotStreamException("stream_busy", Errors.KallglotErrorKind.InvalidOperation,
                $"Another Receive-KallglotStream is already reading the stream of session {sessionId}; two readers would split and repeat its events. Read it from one place, or stop the other receive first.")
            {
                RecommendedAction = "Receive from one place at a time.",
            };
        }
        return new KallglotStreamReader(this);
    }

    internal void ReleaseReader()
    {
        NotifyOnChange(null);
        Volatile.Write(ref _readerHeld, 0);
    }

    internal bool TryPeek(out KallglotEvent streamEvent) => _channel.Reader.TryPeek(out streamEvent!);

    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryRead(out KallglotEvent streamEvent)
    {
        if (!_channel.Reader.TryRead(out streamEvent!))
        {
            return false;
        }
        Interlocked.Add(ref _bytes, -SizeOf(streamEvent));
        Interlocked.Decrement(ref _count);
        return true;
    }

    internal ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    private static long SizeOf(KallglotEvent streamEvent) =>
        EventOverheadBytes + streamEvent.JsonTextBytes + (streamEvent is AudioOutputEvent audio ? audio.Payload.Length : 0);
}
