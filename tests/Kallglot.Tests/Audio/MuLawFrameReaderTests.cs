using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Tests.Infrastructure;
using NAudio.Wave;

namespace Kallglot.Tests.Audio;

public sealed class MuLawFrameReaderTests : IDisposable
{
    private readonly TestWaves _waves = new();

    public void Dispose() => _waves.Dispose();

    public static TheoryData<string, int, int, int> Formats => new()
    {
        { "pcm8", 8000, 8, 1 },
        { "pcm16", 16000, 16, 1 },
        { "pcm16", 44100, 16, 2 },
        { "pcm24", 48000, 24, 1 },
        { "pcm32", 22050, 32, 2 },
        { "float", 48000, 32, 1 },
        { "float", 11025, 32, 2 },
        { "mulaw", 8000, 8, 1 },
        { "alaw", 8000, 8, 1 },
        { "pcm16", 24000, 16, 1 },
        { "pcm16", 32000, 16, 1 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_supported_wav_becomes_8khz_mulaw_of_the_same_duration_with_the_tone_intact(string codec, int rate, int bits, int channels)
    {
        var format = codec switch
        {
            "float" => WaveFormat.CreateIeeeFloatWaveFormat(rate, channels),
            "mulaw" => WaveFormat.CreateMuLawFormat(rate, channels),
            "alaw" => WaveFormat.CreateALawFormat(rate, channels),
            _ => new WaveFormat(rate, bits, channels),
        };
        var path = _waves.Tone($"{codec}-{rate}-{channels}.wav", format, 440, TimeSpan.FromSeconds(1));

        using var reader = MuLawFrameReader.Open(path);
        var samples = ReadAll(reader, out var frames);

        Assert.Equal(50, frames);
        Assert.Equal(50, reader.TotalFrames);
        var level = Signal.RmsDb(samples.AsSpan(400, 7000));
        Assert.InRange(level, -10, -5);
    }

    [Fact]
    public void A_1khz_tone_survives_48k_to_8k()
    {
        var path = _waves.Tone("1k.wav", new WaveFormat(48000, 16, 1), 1000, TimeSpan.FromSeconds(1));

        using var reader = MuLawFrameReader.Open(path);
        var samples = ReadAll(reader, out _);

        Assert.InRange(Signal.RmsDb(samples.AsSpan(400, 7000)), -10, -5);
        Assert.InRange(Signal.ToneLevelDb(samples.AsSpan(400, 7000), 1000, 8000), -10, -5);
    }

    [Fact]
    public void A_6khz_tone_is_attenuated_by_at_least_40_db_instead_of_aliasing()
    {
        var pass = _waves.Tone("1k.wav", new WaveFormat(48000, 16, 1), 1000, TimeSpan.FromSeconds(1));
        var stop = _waves.Tone("6k.wav", new WaveFormat(48000, 16, 1), 6000, TimeSpan.FromSeconds(1));

        using var passReader = MuLawFrameReader.Open(pass);
        using var stopReader = MuLawFrameReader.Open(stop);
        var passLevel = Signal.RmsDb(ReadAll(passReader, out _).AsSpan(400, 7000));
        var stopLevel = Signal.RmsDb(ReadAll(stopReader, out _).AsSpan(400, 7000));

        Assert.True(passLevel - stopLevel >= 40, $"1 kHz at {passLevel:0.0} dB, 6 kHz at {stopLevel:0.0} dB: {passLevel - stopLevel:0.0} dB apart");
    }

    [Fact]
    public void Headerless_mulaw_is_sent_byte_for_byte_and_the_last_frame_padded_with_silence()
    {
        var content = Enumerable.Range(0, 400).Select(i => (byte)(i % 251)).ToArray();
        var path = _waves.Bytes("call.ulaw", content);

        using var reader = MuLawFrameReader.Open(path, AudioInputEncoding.MuLaw);
        var frames = new List<byte[]>();
        var frame = new byte[160];
        while (reader.ReadFrame(frame))
        {
            frames.Add(frame.ToArray());
        }

        Assert.Equal(3, frames.Count);
        Assert.Equal(content, frames.SelectMany(f => f).Take(400));
        Assert.All(frames[2].Skip(80), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Frame_length_is_configurable()
    {
        var path = _waves.Tone("tone.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.FromSeconds(1));

        using var reader = MuLawFrameReader.Open(path, frameMilliseconds: 40);

        Assert.Equal(320, reader.FrameBytes);
        Assert.Equal(25, reader.TotalFrames);
    }

    [Fact]
    public void Missing_file_is_refused()
    {
        Assert.Equal("audio_file_not_found", Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(_waves.PathFor("none.wav"))).ErrorId);
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        Assert.Equal("audio_file_empty", Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(_waves.Bytes("empty.wav", []))).ErrorId);
    }

    [Fact]
    public void A_wav_with_no_samples_is_refused_as_empty()
    {
        var path = _waves.Tone("silent.wav", new WaveFormat(8000, 16, 1), 440, TimeSpan.Zero);

        Assert.Equal("audio_file_empty", Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(path)).ErrorId);
    }

    [Fact]
    public void A_file_that_is_not_wav_is_refused_with_the_alternative_named()
    {
        var error = Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(_waves.Bytes("notes.wav", "this is text, not audio"u8.ToArray())));

        Assert.Equal("audio_not_wav", error.ErrorId);
        Assert.Contains("-Encoding mulaw", error.Message);
    }

    [Fact]
    public void An_unsupported_codec_is_refused_naming_it()
    {
        var path = _waves.PathFor("adpcm.wav");
        var adpcm = WaveFormat.CreateCustomFormat(WaveFormatEncoding.Adpcm, 8000, 1, 4096, 256, 4);
        using (var writer = new WaveFileWriter(path, adpcm))
        {
            writer.Write(new byte[512], 0, 512);
        }

        var error = Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(path));

        Assert.Equal("unsupported_audio_encoding", error.ErrorId);
        Assert.Contains("Adpcm", error.Message);
    }

    [Fact]
    public void More_than_two_channels_are_refused()
    {
        var path = _waves.Tone("surround.wav", new WaveFormat(8000, 16, 6), 440, TimeSpan.FromMilliseconds(100));

        Assert.Equal("unsupported_channel_count", Assert.Throws<KallglotException>(() => MuLawFrameReader.Open(path)).ErrorId);
    }

    private static short[] ReadAll(MuLawFrameReader reader, out int frames)
    {
        var samples = new List<short>();
        var frame = new byte[reader.FrameBytes];
        frames = 0;
        while (reader.ReadFrame(frame))
        {
            frames++;
            samples.AddRange(frame.Select(MuLaw.Decode));
        }
        return samples.ToArray();
    }
}
