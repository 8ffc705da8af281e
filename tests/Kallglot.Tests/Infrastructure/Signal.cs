namespace Kallglot.Tests.Infrastructure;

/// <summary>Levels of 16-bit audio in dB relative to full scale.</summary>
internal static class Signal
{
    public static double RmsDb(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var sample in samples)
        {
            sum += (double)sample * sample;
        }
        var rms = Math.Sqrt(sum / samples.Length) / 32768.0;
        return 20 * Math.Log10(Math.Max(rms, 1e-10));
    }

    /// <summary>RMS level of one frequency (a single-bin DFT), to tell a surviving tone from an alias elsewhere.</summary>
    public static double ToneLevelDb(ReadOnlySpan<short> samples, double frequencyHz, int sampleRate)
    {
        double real = 0, imaginary = 0;
        for (var n = 0; n < samples.Length; n++)
        {
            var angle = 2 * Math.PI * frequencyHz * n / sampleRate;
            real += samples[n] * Math.Cos(angle);
            imaginary -= samples[n] * Math.Sin(angle);
        }
        var amplitude = 2 * Math.Sqrt((real * real) + (imaginary * imaginary)) / samples.Length / 32768.0;
        return 20 * Math.Log10(Math.Max(amplitude / Math.Sqrt(2), 1e-10));
    }
}
