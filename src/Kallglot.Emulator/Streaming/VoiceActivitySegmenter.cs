using Kallglot.Emulator.Audio;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// Finds utterances in one speaker's audio by energy: a 20 ms block above the threshold is speech;
/// an utterance ends after 600 ms of silence (a pause at a comma is not the end). Times come from sample counts, not the wall clock, so
/// paced and unpaced input segment the same way.
/// </summary>
internal sealed class VoiceActivitySegmenter
{
    private const int BlockSamples = 160;
    private const double SpeechRms = 500;
    private const int SilenceBlocksToEnd = 30;
    private const int BlocksPerPartial = 25;

    /// <summary>The trailing silence that ends an utterance (30 blocks of 20 ms).</summary>
    public static readonly TimeSpan SilenceToEnd = TimeSpan.FromSeconds(SilenceBlocksToEnd * BlockSamples / 8000.0);

    private readonly List<byte> _utterance = new();
    private readonly short[] _block = new short[BlockSamples];
    private readonly byte[] _blockRaw = new byte[BlockSamples];
    private int _blockFill;
    private long _samplesSeen;
    private int _silentBlocks;
    private int _speechBlocks;
    private long _startSample = -1;

    /// <summary>Raised with the speech so far, every 500 ms of speech.</summary>
    public event Action<int>? PartialReady;

    /// <summary>Raised when an utterance ends: its mu-law audio, start and end in ms.</summary>
    public event Action<byte[], long, long>? UtteranceEnded;

    public bool InUtterance => _startSample >= 0;

    public void Feed(ReadOnlySpan<byte> mulaw)
    {
        foreach (var value in mulaw)
        {
            _blockRaw[_blockFill] = value;
            _block[_blockFill++] = MuLawCodec.Decode(value);
            _samplesSeen++;
            if (_blockFill == BlockSamples)
            {
                _blockFill = 0;
                OnBlock();
            }
        }
    }

    /// <summary>Ends an utterance in progress (the session is ending).</summary>
    public void Flush()
    {
        if (InUtterance)
        {
            EndUtterance();
        }
    }

    private void OnBlock()
    {
        double sum = 0;
        foreach (var sample in _block)
        {
            sum += (double)sample * sample;
        }
        var speech = Math.Sqrt(sum / BlockSamples) > SpeechRms;
        if (speech && !InUtterance)
        {
            _startSample = _samplesSeen - BlockSamples;
        }
        if (InUtterance)
        {
            _utterance.AddRange(_blockRaw);
        }
        if (speech)
        {
            _silentBlocks = 0;
            _speechBlocks++;
            if (_speechBlocks % BlocksPerPartial == 0)
            {
                PartialReady?.Invoke(_speechBlocks);
            }
        }
        else if (InUtterance && ++_silentBlocks >= SilenceBlocksToEnd)
        {
            EndUtterance();
        }
    }

    private void EndUtterance()
    {
        // The trailing silence that ended it is not part of the utterance.
        var audio = _utterance.Take(Math.Max(0, _utterance.Count - (_silentBlocks * BlockSamples))).ToArray();
        var start = _startSample / 8;
        var end = (_samplesSeen - (_silentBlocks * BlockSamples)) / 8;
        _utterance.Clear();
        _startSample = -1;
        _silentBlocks = 0;
        _speechBlocks = 0;
        UtteranceEnded?.Invoke(audio, start, Math.Max(end, start));
    }
}
