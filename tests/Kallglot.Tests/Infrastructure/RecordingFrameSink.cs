using Kallglot.Audio;

namespace Kallglot.Tests.Infrastructure;

/// <summary>A frame sink with no socket behind it: keeps what it was given, so audio code is tested without a stream.</summary>
internal sealed class RecordingFrameSink : IAudioFrameSink
{
    private readonly List<(byte[] Payload, string Speaker)> _frames = new();

    public string SessionId => "sess_sink";

    public IReadOnlyList<(byte[] Payload, string Speaker)> Frames => _frames;

    public ValueTask<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, CancellationToken cancellationToken = default, string encoding = "mulaw", int sampleRateHz = 8000)
    {
        _frames.Add((payload.ToArray(), speaker));
        return ValueTask.FromResult((long)_frames.Count);
    }
}
