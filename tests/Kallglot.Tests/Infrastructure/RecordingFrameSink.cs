using Kallglot.Audio;

namespace Kallglot.Tests.Infrastructure;

/// <summary>A frame sink with no socket behind it: keeps what it was given, so audio code is tested without a stream.</summary>
internal sealed class RecordingFrameSink : IAudioFrameSink
{
    private readonly List<(byte[] Payload, string Speaker)> _frames = new();

    public string SessionId => "sess_sink";

    public IReadOnlyList<(byte[] Payload, string Speaker)> Frames => _frames;

    /// <summary>When set, the send of this frame (1-based) throws it instead of keeping the frame, as a broken stream's would.</summary>
    public (int Frame, Exception Failure)? FailAt { get; init; }

    public ValueTask<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, CancellationToken cancellationToken = default, string encoding = "mulaw", int sampleRateHz = 8000)
    {
        if (FailAt is { } failAt && _frames.Count + 1 == failAt.Frame)
        {
            throw failAt.Failure;
        }
        _frames.Add((payload.ToArray(), speaker));
        return ValueTask.FromResult((long)_frames.Count);
    }
}
