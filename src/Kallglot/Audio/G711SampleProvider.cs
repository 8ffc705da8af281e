using NAudio.Codecs;
using NAudio.Wave;

namespace Kallglot.Audio;

/// <summary>Decodes a mu-law or A-law WAV stream to float samples, keeping its rate and channels.</summary>
internal sealed class G711SampleProvider : ISampleProvider
{
    private readonly IWaveProvider _source;
    private readonly bool _aLaw;
    private byte[] _bytes = [];

    public G711SampleProvider(IWaveProvider source)
    {
        _source = source;
        _aLaw = source.WaveFormat.Encoding == WaveFormatEncoding.ALaw;
        WaveFormat = WaveFormat.CreateIeeeFloatWaveFormat(source.WaveFormat.SampleRate, source.WaveFormat.Channels);
    }

    public WaveFormat WaveFormat { get; }

    public int Read(float[] buffer, int offset, int count)
    {
        if (_bytes.Length < count)
        {
            _bytes = new byte[count];
        }
        var read = _source.Read(_bytes, 0, count);
        for (var i = 0; i < read; i++)
        {
            var linear = _aLaw ? ALawDecoder.ALawToLinearSample(_bytes[i]) : MuLaw.Decode(_bytes[i]);
            buffer[offset + i] = linear / 32768f;
        }
        return read;
    }
}
