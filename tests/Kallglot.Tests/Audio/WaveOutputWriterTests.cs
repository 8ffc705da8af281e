using Kallglot.Audio;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;
using NAudio.Wave;

namespace Kallglot.Tests.Audio;

public sealed class WaveOutputWriterTests : IDisposable
{
    private readonly TestWaves _waves = new();

    public void Dispose() => _waves.Dispose();

    private static AudioOutputEvent Audio(byte value, int length = 160) =>
        (AudioOutputEvent)EventParser.Parse(
            "{\"type\":\"audio.output\",\"audio\":{\"encoding\":\"mulaw\",\"sample_rate_hz\":8000,\"payload\":\"" + Convert.ToBase64String(Enumerable.Repeat(value, length).ToArray()) + "\"}}",
            "s", 1, DateTimeOffset.UtcNow);

    private static bool Append(WaveOutputWriter writer, AudioOutputEvent audio) => writer.Append(audio.Encoding, audio.SampleRateHz, audio.Payload);

    [Fact]
    public void The_file_is_a_valid_wav_after_every_event_even_before_it_is_closed()
    {
        var path = _waves.PathFor("out.wav");
        using var writer = new WaveOutputWriter(path);

        Append(writer, Audio(0x80));
        Append(writer, Audio(0x00));
        using (var copy = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new WaveFileReader(copy))
        {
            Assert.Equal(new WaveFormat(8000, 16, 1), reader.WaveFormat);
            Assert.Equal(320, reader.SampleCount);
            var first = new byte[2];
            reader.ReadExactly(first);
            Assert.Equal(MuLaw.Decode(0x80), BitConverter.ToInt16(first));
        }
        Assert.Equal(TimeSpan.FromMilliseconds(40), writer.Duration);
    }

    [Fact]
    public void Audio_of_another_encoding_is_skipped()
    {
        using var writer = new WaveOutputWriter(_waves.PathFor("skip.wav"));
        var other = (AudioOutputEvent)EventParser.Parse("""{"type":"audio.output","audio":{"encoding":"opus","sample_rate_hz":48000,"payload":"AAAA"}}""", "s", 1, DateTimeOffset.UtcNow);

        Assert.False(Append(writer, other));
        Assert.Equal(TimeSpan.Zero, writer.Duration);
    }
}
