namespace Kallglot.Audio;

/// <summary>Where audio frames go: a stream, or anything that takes <c>audio.input</c> frames in order.</summary>
public interface IAudioFrameSink
{
    /// <summary>The session the frames belong to.</summary>
    string SessionId { get; }

    /// <summary>Sends one frame of <paramref name="speaker"/> and returns its sequence number. The result is awaited once, as a
    /// <see cref="ValueTask{TResult}"/> must be: a frame sent at once costs no allocation, 50 times a second per stream.</summary>
    ValueTask<long> SendAudioAsync(ReadOnlyMemory<byte> payload, string speaker, CancellationToken cancellationToken = default, string encoding = "mulaw", int sampleRateHz = 8000);

    /// <summary>Completes when the far end is ready for audio, or has been waited for long enough; a send of a file awaits it before its first frame.</summary>
    Task WhenReadyForAudioAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
