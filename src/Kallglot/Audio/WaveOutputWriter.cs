using Kallglot.Errors;
using Kallglot.Files;
using NAudio.Wave;

namespace Kallglot.Audio;

/// <summary>
/// Writes translated audio (<c>audio.output</c>) to a PCM 16-bit 8 kHz mono WAV file as it arrives.
/// The header is brought up to date after every write, so the file is valid at any moment: after
/// Ctrl+C, a dropped connection or a killed process.
/// </summary>
public sealed class WaveOutputWriter : IDisposable
{
    private static readonly HashSet<string> MuLawNames = new(StringComparer.OrdinalIgnoreCase) { "mulaw", "ulaw", "pcmu", "mu-law", "g711_ulaw", "audio/x-mulaw" };
    private readonly WaveFileWriter _writer;
    private readonly object _gate = new();
    private byte[] _pcm = [];
    private bool _disposed;

    /// <summary>Creates <paramref name="path"/>; an existing file is refused unless <paramref name="replace"/>.</summary>
    /// <exception cref="KallglotException">The file exists (<c>output_file_exists</c>) or cannot be written.</exception>
    public WaveOutputWriter(string path, bool replace = false)
    {
        var file = OutputFile.Open(path, replace ? OutputFileMode.Replace : OutputFileMode.CreateNew, "the audio output file", "audio_output_unwritable");
        _writer = new WaveFileWriter(file, new WaveFormat(MuLawFrameReader.SampleRate, 16, 1));
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Audio written so far.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>
    /// Whether audio of <paramref name="encoding"/> at <paramref name="sampleRateHz"/> can be written: G.711 mu-law at 8 kHz, by any
    /// of the names servers give it, in any case.
    /// </summary>
    public static bool CanWrite(string encoding, int sampleRateHz) => sampleRateHz == MuLawFrameReader.SampleRate && MuLawNames.Contains(encoding);

    /// <summary>Appends G.711 mu-law audio at 8 kHz; audio that <see cref="CanWrite"/> refuses is skipped (false).</summary>
    /// <exception cref="KallglotException"><c>audio_output_write_failed</c> when the file cannot take it (a full disk).</exception>
    public bool Append(string encoding, int sampleRateHz, ReadOnlySpan<byte> payload)
    {
        if (!CanWrite(encoding, sampleRateHz))
        {
            return false;
        }
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            var needed = payload.Length * 2;
            if (_pcm.Length < needed)
            {
                _pcm = new byte[needed];
            }
            for (var i = 0; i < payload.Length; i++)
            {
                var sample = MuLaw.Decode(payload[i]);
                _pcm[2 * i] = (byte)sample;
                _pcm[(2 * i) + 1] = (byte)(sample >> 8);
            }
            try
            {
                _writer.Write(_pcm, 0, needed);
                // WaveFileWriter.Flush rewrites the RIFF and data sizes: the file is valid after every event.
                _writer.Flush();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new KallglotException("audio_output_write_failed", KallglotErrorKind.FileWrite,
                    $"Writing translated audio to '{Path}' failed ({exception.Message}); the file holds the audio written before it. Free space on its disk or give -AudioOutputPath another place.", exception)
                {
                    RecommendedAction = "Free space on the disk, or give -AudioOutputPath a path on another one.",
                };
            }
            Duration += TimeSpan.FromSeconds((double)payload.Length / sampleRateHz);
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                try
                {
                    _writer.Dispose();
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    // Every append is flushed: a disk that fails here failed an append first, which reported it.
                }
            }
        }
    }
}
