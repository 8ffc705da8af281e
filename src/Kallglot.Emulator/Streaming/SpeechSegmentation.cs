namespace Kallglot.Emulator.Streaming;

/// <summary>
/// One voice-activity segmenter per speaker. The read loop feeds it while the idle watch asks
/// whether anyone is mid-utterance: both go through one lock, so neither sees the other half-done.
/// </summary>
internal sealed class SpeechSegmentation
{
    private readonly object _gate = new();
    private readonly Dictionary<string, VoiceActivitySegmenter> _segmenters = new(StringComparer.Ordinal);
    private readonly Action<string, int> _partialReady;
    private readonly Action<string, byte[], long, long> _utteranceEnded;
    private long _heardUntil;

    /// <param name="partialReady">(speaker, speech blocks so far), called under the lock from Feed.</param>
    /// <param name="utteranceEnded">(speaker, audio, start ms, end ms), called under the lock from Feed or Flush.</param>
    public SpeechSegmentation(Action<string, int> partialReady, Action<string, byte[], long, long> utteranceEnded)
    {
        _partialReady = partialReady;
        _utteranceEnded = utteranceEnded;
    }

    public bool AnyoneSpeaking
    {
        get
        {
            lock (_gate)
            {
                return _segmenters.Values.Any(segmenter => segmenter.InUtterance);
            }
        }
    }

    /// <param name="arrivedAt">When the frame arrived, a timestamp of the emulator's clock.</param>
    /// <param name="length">How long its audio lasts, in ticks of that clock: audio sent faster than real time is heard until its own end.</param>
    public void Feed(string speaker, ReadOnlySpan<byte> mulaw, long arrivedAt, long length)
    {
        lock (_gate)
        {
            _heardUntil = Math.Max(_heardUntil, arrivedAt) + length;
            SegmenterFor(speaker).Feed(mulaw);
        }
    }

    /// <summary>
    /// Ends every utterance in progress when no audio has been heard for <paramref name="silence"/>
    /// (timestamps of the emulator's clock): a client that stopped sending in mid-speech has left a
    /// silent line. Looked at and done under the one lock, so a frame fed meanwhile is never cut off.
    /// </summary>
    public void FlushIfSilent(long now, long silence)
    {
        lock (_gate)
        {
            if (now - _heardUntil >= silence && _segmenters.Values.Any(segmenter => segmenter.InUtterance))
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Ends every utterance in progress: the client is leaving.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        foreach (var segmenter in _segmenters.Values)
        {
            segmenter.Flush();
        }
    }

    private VoiceActivitySegmenter SegmenterFor(string speaker)
    {
        if (_segmenters.TryGetValue(speaker, out var segmenter))
        {
            return segmenter;
        }
        segmenter = new VoiceActivitySegmenter();
        segmenter.PartialReady += blocks => _partialReady(speaker, blocks);
        segmenter.UtteranceEnded += (audio, start, end) => _utteranceEnded(speaker, audio, start, end);
        _segmenters[speaker] = segmenter;
        return segmenter;
    }
}
