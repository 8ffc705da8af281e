using System.Diagnostics;
using System.Threading.Channels;
using Kallglot.Emulator.Streaming.Outgoing;
using Kallglot.Pacing;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// Plays each utterance's translated audio back as audio.output frames of 20 ms, in real time on an
/// absolute schedule kept by the emulator's one frame pacer (<see cref="EmulatorFramePacer"/>) (or as fast as possible), and says while any is still to be played.
/// </summary>
internal sealed class TranslatedAudioPlayer
{
    public const int FrameBytes = 160;
    private readonly Channel<(string UtteranceId, byte[] Audio)> _queue = Channel.CreateUnbounded<(string, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<OutgoingMessage> _send;
    private readonly bool _paced;
    private int _pendingFrames;
    private long _sequence;

    public TranslatedAudioPlayer(Action<OutgoingMessage> send, bool paced)
    {
        _send = send;
        _paced = paced;
    }

    /// <summary>True while translated audio waits to be played.</summary>
    public bool IsPlaying => Volatile.Read(ref _pendingFrames) > 0;

    public void Play(string utteranceId, byte[] audio)
    {
        Interlocked.Add(ref _pendingFrames, (audio.Length + FrameBytes - 1) / FrameBytes);
        _queue.Writer.TryWrite((utteranceId, audio));
    }

    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var frameTicks = Stopwatch.Frequency / 50.0;
        await foreach (var (utteranceId, audio) in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var started = Stopwatch.GetTimestamp();
            var frames = (audio.Length + FrameBytes - 1) / FrameBytes;
            for (var i = 0; i < frames; i++)
            {
                if (_paced)
                {
                    await EmulatorFramePacer.Shared.WaitUntilAsync(started + (long)(i * frameTicks), cancellationToken).ConfigureAwait(false);
                }
                var payload = new byte[FrameBytes];
                payload.AsSpan().Fill(0xFF);
                audio.AsSpan(i * FrameBytes, Math.Min(FrameBytes, audio.Length - (i * FrameBytes))).CopyTo(payload);
                var sequence = Interlocked.Increment(ref _sequence);
                _send(OutgoingMessage.Event("audio.output", w =>
                {
                    w.WriteString("utterance_id", utteranceId);
                    w.WriteNumber("sequence", sequence);
                    AudioPayloadJson.Write(w, payload);
                }));
                Interlocked.Decrement(ref _pendingFrames);
            }
        }
    }
}
