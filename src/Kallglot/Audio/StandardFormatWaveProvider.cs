using NAudio.Wave;

namespace Kallglot.Audio;

/// <summary>Presents a WAVE_FORMAT_EXTENSIBLE stream under its plain PCM or float format, which NAudio's sample converters understand.</summary>
internal sealed class StandardFormatWaveProvider : IWaveProvider
{
    private readonly IWaveProvider _source;

    public StandardFormatWaveProvider(IWaveProvider source, WaveFormat standard)
    {
        _source = source;
        WaveFormat = standard;
    }

    public WaveFormat WaveFormat { get; }

    public int Read(byte[] buffer, int offset, int count) => _source.Read(buffer, offset, count);
}
