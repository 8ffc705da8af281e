using Kallglot.Streaming.Events;

namespace Kallglot.Streaming;

/// <summary>
/// The one reader of a stream's events, held until disposed. A caller that must not lose an event
/// (a pipeline that may stop at any moment) peeks, delivers, then takes.
/// </summary>
public sealed class KallglotStreamReader : IDisposable
{
    private EventBuffer? _buffer;

    internal KallglotStreamReader(EventBuffer buffer)
    {
        _buffer = buffer;
    }

    /// <summary>Looks at the next event without taking it.</summary>
    public bool TryPeek(out KallglotEvent streamEvent) => Buffer.TryPeek(out streamEvent);

    /// <summary>Takes the next event without waiting; false when none is buffered.</summary>
    public bool TryRead(out KallglotEvent streamEvent) => Buffer.TryRead(out streamEvent);

    /// <summary>
    /// Waits until an event is buffered (true) or the stream is over and drained (false). After a
    /// failure, once every event received before it has been read, throws the failure.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => Buffer.WaitToReadAsync(cancellationToken);

    /// <summary>True once every event has been read and none can come (the stream is over, or failed: <see cref="WaitToReadAsync"/> throws the failure).</summary>
    public bool IsOver => Buffer.IsOver;

    internal void NotifyOnChange(Action? changed) => Buffer.NotifyOnChange(changed);

    /// <summary>Gives the reader's place back.</summary>
    public void Dispose() => Interlocked.Exchange(ref _buffer, null)?.ReleaseReader();

    private EventBuffer Buffer => _buffer ?? throw new ObjectDisposedException(nameof(KallglotStreamReader));
}
