using NAudio.Wave;

namespace Kallglot.Tests.Infrastructure;

/// <summary>Writes WAV files of every supported kind into a temporary folder, deleted on dispose.</summary>
internal sealed class TestWaves : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kallglot-audio-").FullName;

    public string PathFor(string name) => Path.Combine(_folder, name);

    /// <summary>A sine tone in <paramref name="format"/>, written sample by sample through NAudio's writer.</summary>
    public string Tone(string name, WaveFormat format, double frequencyHz, TimeSpan duration, double amplitude = 0.5)
    {
        var path = PathFor(name);
        using var writer = new WaveFileWriter(path, format);
        var frames = (int)(format.SampleRate * duration.TotalSeconds);
        for (var n = 0; n < frames; n++)
        {
            var value = amplitude * Math.Sin(2 * Math.PI * frequencyHz * n / format.SampleRate);
            for (var channel = 0; channel < format.Channels; channel++)
            {
                WriteSample(writer, format, value);
            }
        }
        return path;
    }

    public string Bytes(string name, byte[] content)
    {
        var path = PathFor(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static void WriteSample(WaveFileWriter writer, WaveFormat format, double value)
    {
        switch (format.Encoding, format.BitsPerSample)
        {
            case (WaveFormatEncoding.Pcm, 8):
                writer.WriteByte((byte)Math.Round(128 + (value * 127)));
                break;
            case (WaveFormatEncoding.Pcm, 16):
                writer.WriteSample((float)value);
                break;
            case (WaveFormatEncoding.Pcm, 24):
                var s24 = (int)Math.Round(value * 8388607);
                writer.Write([(byte)s24, (byte)(s24 >> 8), (byte)(s24 >> 16)], 0, 3);
                break;
            case (WaveFormatEncoding.Pcm, 32):
                var s32 = (int)Math.Round(value * int.MaxValue);
                writer.Write(BitConverter.GetBytes(s32), 0, 4);
                break;
            case (WaveFormatEncoding.IeeeFloat, 32):
                writer.WriteSample((float)value);
                break;
            case (WaveFormatEncoding.MuLaw, 8):
                writer.WriteByte(Kallglot.Audio.MuLaw.Encode((short)Math.Round(value * 32767)));
                break;
            case (WaveFormatEncoding.ALaw, 8):
                writer.WriteByte(NAudio.Codecs.ALawEncoder.LinearToALawSample((short)Math.Round(value * 32767)));
                break;
            default:
                throw new NotSupportedException(format.ToString());
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
