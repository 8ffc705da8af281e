using System.Threading.Channels;

namespace Kallglot.Streaming;

/// <summary>
/// One reader over the events of many streams: each stream's events in their order, streams taken
/// as their events arrive. It waits on one signal for the whole set, never on one task per stream,
/// so a single pipeline can follow hundreds of calls. Holds each stream's reader until disposed.
/// </summary>
public sealed class StreamSetReader : IDisposable
{
    private readonly KallglotStream[] _streams;
    private readonly KallglotStreamReader[] _readers;
    private readonly int[] _signalled;
    private readonly bool[] _finished;
    private readonly Channel<int> _ready = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private int _unfinished;

    private StreamSetReader(KallglotStream[] streams, KallglotStreamReader[] readers)
    {
        _streams = streams;
        _readers = readers;
        _signalled = new int[streams.Length];
        _finished = new bool[streams.Length];
        _unfinished = streams.Length;
        for (var i = 0; i < streams.Length; i++)
        {
            var index = i;
            readers[i].NotifyOnChange(() => Signal(index));
            // Whatever was buffered before the hook, or an end already reached, is looked at once.
            Signal(i);
        }
    }

    /// <summary>Streams not yet finished.</summary>
    public int Unfinished => _unfinished;

    /// <summary>Takes the reader's place of every stream (each once, duplicates ignored).</summary>
    /// <exception cref="KallglotStreamException">One of them is being read elsewhere (<c>stream_busy</c>); none is held then.</exception>
    public static StreamSetReader Open(IEnumerable<KallglotStream> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var distinct = streams.Distinct().ToArray();
        var readers = new List<KallglotStreamReader>(distinct.Length);
        try
        {
            foreach (var stream in distinct)
            {
                readers.Add(stream.OpenReader());
            }
        }
        catch
        {
            readers.ForEach(reader => reader.Dispose());
            throw;
        }
        return new StreamSetReader(distinct, readers.ToArray());
    }

    /// <summary>
    /// Waits until a stream not yet finished has events to read or has ended, and gives it with its
    /// reader; null once every stream is finished. A stream given may have nothing left to read:
    /// check <see cref="KallglotStreamReader.IsOver"/>.
    /// </summary>
    public async ValueTask<(KallglotStream Stream, KallglotStreamReader Reader)?> WaitForStreamAsync(CancellationToken cancellationToken = default)
    {
        while (_unfinished > 0)
        {
            while (_ready.Reader.TryRead(out var index))
            {
                // Cleared, with a full fence, before the events are read: one arriving from now on signals again. (A release-only write
                // could pass the reader's look at the empty buffer, and the producer, still seeing 1, would signal nothing.)
                Interlocked.Exchange(ref _signalled[index], 0);
                if (!_finished[index])
                {
                    return (_streams[index], _readers[index]);
                }
            }
            await _ready.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>Says <paramref name="stream"/> is done with (its session ended, or it is over): it is no longer waited for.</summary>
    public void Finish(KallglotStream stream)
    {
        var index = Array.IndexOf(_streams, stream);
        if (index >= 0 && !_finished[index])
        {
            _finished[index] = true;
            _unfinished--;
        }
    }

    /// <summary>Gives every stream's reader back.</summary>
    public void Dispose()
    {
        foreach (var reader in _readers)
        {
            reader.Dispose();
        }
    }

    private void Signal(int index)
    {
        if (Interlocked.Exchange(ref _signalled[index], 1) == 0)
        {
            _ready.Writer.TryWrite(index);
        }
    }
}
