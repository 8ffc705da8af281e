using Kallglot.Errors;
using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace Kallglot.Audio;

/// <summary>
/// Reads an audio file as the API wants it: 8 kHz mono G.711 mu-law, in frames of a fixed length.
/// WAV files of PCM 8/16/24/32-bit, IEEE float, mu-law or A-law, mono or stereo, at any rate, are
/// decoded, downmixed and resampled through a low-pass filter; headerless mu-law is sent as it is.
/// The file is streamed: memory does not grow with its length.
/// </summary>
public sealed class MuLawFrameReader : IDisposable
{
    /// <summary>The API's sample rate.</summary>
    public const int SampleRate = 8000;

    private const byte MuLawSilence = 0xFF;
    private readonly Stream? _rawMuLaw;
    private readonly WaveFileReader? _wave;
    private readonly ISampleProvider? _samples;
    private float[] _floatBuffer = [];

    private MuLawFrameReader(string path, int frameMilliseconds, Stream? rawMuLaw, WaveFileReader? wave, ISampleProvider? samples, string description, TimeSpan duration)
    {
        Path = path;
        FrameBytes = SampleRate * frameMilliseconds / 1000;
        FrameDuration = TimeSpan.FromMilliseconds(frameMilliseconds);
        _rawMuLaw = rawMuLaw;
        _wave = wave;
        _samples = samples;
        SourceFormat = description;
        Duration = duration;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Bytes per frame (one per sample).</summary>
    public int FrameBytes { get; }

    /// <summary>Audio time per frame.</summary>
    public TimeSpan FrameDuration { get; }

    /// <summary>The file's own format, for messages and summaries.</summary>
    public string SourceFormat { get; }

    /// <summary>The audio's length.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How many frames the whole file makes (the last one padded with silence).</summary>
    public long TotalFrames => (long)Math.Ceiling(Duration.TotalMilliseconds / FrameDuration.TotalMilliseconds);

    /// <summary>Opens <paramref name="path"/>, refusing what cannot be sent with an error that says why.</summary>
    /// <exception cref="KallglotException">Missing, empty, not WAV, or an unsupported codec or channel count.</exception>
    public static MuLawFrameReader Open(string path, AudioInputEncoding encoding = AudioInputEncoding.Wav, int frameMilliseconds = 20)
    {
        if (frameMilliseconds is < 10 or > 1000)
        {
            throw new KallglotValidationException("invalid_frame_length", "FrameMilliseconds",
                $"{frameMilliseconds} ms is not a usable frame length. Give 10 to 1000 ms; 20 ms (160 bytes) is the default.");
        }
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new KallglotException("audio_file_not_found", KallglotErrorKind.File, $"The audio file '{path}' does not exist. Check the path.");
        }
        if (file.Length == 0)
        {
            throw new KallglotException("audio_file_empty", KallglotErrorKind.File, $"The audio file '{path}' is empty: there is nothing to send.");
        }
        if (encoding == AudioInputEncoding.MuLaw)
        {
            var raw = OpenRead(path);
            return new MuLawFrameReader(path, frameMilliseconds, raw, null, null, "headerless mu-law 8000 Hz mono", TimeSpan.FromSeconds((double)file.Length / SampleRate));
        }
        return OpenWave(path, frameMilliseconds);
    }

    private static MuLawFrameReader OpenWave(string path, int frameMilliseconds)
    {
        WaveFileReader wave;
        try
        {
            wave = new WaveFileReader(OpenRead(path));
        }
        catch (FormatException exception)
        {
            throw new KallglotException("audio_not_wav", KallglotErrorKind.File,
                $"'{path}' is not a WAV file ({exception.Message}). Give a .wav file, or -Encoding mulaw for headerless 8 kHz mu-law.", exception);
        }
        catch (EndOfStreamException exception)
        {
            throw new KallglotException("audio_not_wav", KallglotErrorKind.File,
                $"'{path}' is too short to be a WAV file. Give a .wav file, or -Encoding mulaw for headerless 8 kHz mu-law.", exception);
        }
        try
        {
            var format = wave.WaveFormat;
            var description = Describe(format);
            if (wave.Length == 0)
            {
                throw new KallglotException("audio_file_empty", KallglotErrorKind.File, $"The WAV file '{path}' holds no audio ({description}).");
            }
            if (format.Channels is < 1 or > 2)
            {
                throw new KallglotException("unsupported_channel_count", KallglotErrorKind.File,
                    $"'{path}' has {format.Channels} channels; mono and stereo are supported. Mix it down to stereo or mono first.");
            }
            var duration = wave.TotalTime;
            if (format.Encoding == WaveFormatEncoding.MuLaw && format.SampleRate == SampleRate && format.Channels == 1)
            {
                return new MuLawFrameReader(path, frameMilliseconds, wave, null, null, description, duration);
            }
            var samples = ToSamples(wave, path, description);
            if (samples.WaveFormat.Channels == 2)
            {
                samples = new StereoToMonoSampleProvider(samples) { LeftVolume = 0.5f, RightVolume = 0.5f };
            }
            if (samples.WaveFormat.SampleRate != SampleRate)
            {
                samples = new LowPassResampler(samples, SampleRate);
            }
            return new MuLawFrameReader(path, frameMilliseconds, null, wave, samples, description, duration);
        }
        catch
        {
            wave.Dispose();
            throw;
        }
    }

    private static ISampleProvider ToSamples(WaveFileReader wave, string path, string description)
    {
        var format = wave.WaveFormat;
        IWaveProvider provider = wave;
        if (format.Encoding == WaveFormatEncoding.Extensible)
        {
            var standard = format.AsStandardWaveFormat();
            if (standard.Encoding is not (WaveFormatEncoding.Pcm or WaveFormatEncoding.IeeeFloat))
            {
                throw Unsupported(path, description);
            }
            provider = new StandardFormatWaveProvider(wave, standard);
            format = standard;
        }
        return format.Encoding switch
        {
            WaveFormatEncoding.Pcm when format.BitsPerSample is 8 or 16 or 24 or 32 => provider.ToSampleProvider(),
            WaveFormatEncoding.IeeeFloat when format.BitsPerSample is 32 or 64 => provider.ToSampleProvider(),
            WaveFormatEncoding.MuLaw or WaveFormatEncoding.ALaw when format.BitsPerSample == 8 => new G711SampleProvider(provider),
            _ => throw Unsupported(path, description),
        };
    }

    private static KallglotException Unsupported(string path, string description) =>
        new("unsupported_audio_encoding", KallglotErrorKind.File,
            $"'{path}' is {description}, which the module cannot convert. Supported WAV codecs: PCM 8/16/24/32-bit, IEEE float 32/64-bit, mu-law and A-law. Convert the file to 16-bit PCM WAV first.");

    private static string Describe(WaveFormat format)
    {
        var codec = format.Encoding switch
        {
            WaveFormatEncoding.Pcm => $"PCM {format.BitsPerSample}-bit",
            WaveFormatEncoding.IeeeFloat => $"IEEE float {format.BitsPerSample}-bit",
            WaveFormatEncoding.MuLaw => "mu-law",
            WaveFormatEncoding.ALaw => "A-law",
            WaveFormatEncoding.Extensible => $"extensible {format.AsStandardWaveFormat().Encoding} {format.BitsPerSample}-bit",
            var other => $"codec {other} (0x{(int)other:X4})",
        };
        return $"WAV {codec} {format.SampleRate} Hz {(format.Channels == 1 ? "mono" : format.Channels == 2 ? "stereo" : $"{format.Channels} channels")}";
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            // Shared with a writer, as Linux shares every file: on Windows a WAV still being written (another stream's
            // -AudioOutputPath) would otherwise be refused.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new KallglotException("audio_file_unreadable", KallglotErrorKind.File, $"Cannot read '{path}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Fills <paramref name="frame"/> (at least <see cref="FrameBytes"/> long) with the next frame;
    /// false at the end. A last partial frame is padded with silence.
    /// </summary>
    public bool ReadFrame(Span<byte> frame)
    {
        frame = frame[..FrameBytes];
        int filled;
        if (_samples is null)
        {
            var stream = (Stream?)_rawMuLaw ?? _wave!;
            filled = 0;
            while (filled < frame.Length)
            {
                var read = stream.Read(frame[filled..]);
                if (read == 0)
                {
                    break;
                }
                filled += read;
            }
        }
        else
        {
            if (_floatBuffer.Length < FrameBytes)
            {
                _floatBuffer = new float[FrameBytes];
            }
            filled = 0;
            while (filled < FrameBytes)
            {
                var read = _samples.Read(_floatBuffer, filled, FrameBytes - filled);
                if (read == 0)
                {
                    break;
                }
                filled += read;
            }
            for (var i = 0; i < filled; i++)
            {
                var scaled = Math.Clamp(_floatBuffer[i] * 32767f, short.MinValue, short.MaxValue);
                frame[i] = MuLaw.Encode((short)MathF.Round(scaled));
            }
        }
        if (filled == 0)
        {
            return false;
        }
        frame[filled..].Fill(MuLawSilence);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rawMuLaw?.Dispose();
        _wave?.Dispose();
    }
}
