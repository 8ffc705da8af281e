using NAudio.Dsp;
using NAudio.Wave;

namespace Kallglot.Audio;

/// <summary>
/// Resamples mono float audio with WDL's windowed-sinc filter (NAudio.Dsp.WdlResampler in sinc
/// mode): its stopband keeps what lies above the new Nyquist frequency from folding back as
/// aliases, which NAudio's default IIR mode does only weakly.
/// </summary>
internal sealed class LowPassResampler : ISampleProvider
{
    private readonly ISampleProvider _source;
    private readonly WdlResampler _resampler = new();
    private readonly int _sourceRate;

    public LowPassResampler(ISampleProvider source, int targetRate)
    {
        _source = source;
        _sourceRate = source.WaveFormat.SampleRate;
        WaveFormat = WaveFormat.CreateIeeeFloatWaveFormat(targetRate, 1);
        _resampler.SetMode(true, 0, true, 256, 32);
        _resampler.SetFeedMode(false);
        _resampler.SetRates(_sourceRate, targetRate);
    }

    public WaveFormat WaveFormat { get; }

    public int Read(float[] buffer, int offset, int count)
    {
        var wanted = _resampler.ResamplePrepare(count, 1, out var input, out var inputOffset);
        var read = _source.Read(input, inputOffset, wanted);
        if (read < wanted)
        {
            // At the end of the input the filter still holds samples: zeros flush them out.
            Array.Clear(input, inputOffset + read, wanted - read);
        }
        var produced = _resampler.ResampleOut(buffer, offset, read == 0 ? 0 : wanted, count, 1);
        return read == 0 ? 0 : produced;
    }
}
