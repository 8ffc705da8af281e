using System.Management.Automation;
using System.Runtime.CompilerServices;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Streaming.Events;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// How an event reaches the pipeline, the same for a live stream and a recording read back: its
/// translated audio to the WAV file, an error event as a non-terminating error record, speakers
/// remembered for tab completion, then the object itself unless -Type leaves it out.
/// </summary>
internal sealed class EventDelivery
{
    private readonly Cmdlet _cmdlet;
    private readonly WildcardPattern[]? _typePatterns;
    private readonly WaveOutputWriter? _audioOutput;
    private bool _unwritableAudioWarned;
    private string? _lastSpeaker;
    private long _lastSpeakerAddedAt;

    public EventDelivery(Cmdlet cmdlet, string[]? types, WaveOutputWriter? audioOutput)
    {
        _cmdlet = cmdlet;
        _typePatterns = types?.Select(pattern => new WildcardPattern(pattern, WildcardOptions.IgnoreCase)).ToArray();
        _audioOutput = audioOutput;
    }

    /// <summary>Writes <paramref name="streamEvent"/>; call on the pipeline thread.</summary>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Deliver(KallglotEvent streamEvent)
    {
        if (streamEvent is AudioOutputEvent audio && _audioOutput is not null && !audio.Delivered)
        {
            // Append checks the encoding itself; asked again only when it refused (a closed file refuses too, with no warning).
            if (!_audioOutput.Append(audio.Encoding, audio.SampleRateHz, audio.Payload) && !_unwritableAudioWarned &&
                !WaveOutputWriter.CanWrite(audio.Encoding, audio.SampleRateHz))
            {
                // Once: a server that sends another encoding sends it in every event.
                _unwritableAudioWarned = true;
                _cmdlet.WriteWarning($"Translated audio of session {audio.SessionId} came as '{audio.Encoding}' at {audio.SampleRateHz} Hz, which {_audioOutput.Path} cannot take: it holds G.711 mu-law at 8 kHz, as PCM. That audio is not in the file; each audio.output event still carries it in its Payload.");
            }
            // A stopped pipeline leaves the event for the next receive: its audio is not written twice.
            audio.Delivered = true;
        }
        if (streamEvent is StreamErrorEvent error)
        {
            var exception = new KallglotException(error.Code, KallglotErrorKind.Protocol,
                $"The {(error.FromClient ? "client" : "server")} reported an error on session {error.SessionId}: [{error.Code}] {error.Message}");
            _cmdlet.WriteError(new ErrorRecord(exception, error.Code, ErrorCategory.InvalidData, error));
            return;
        }
        switch (streamEvent)
        {
            case TranscriptFinalEvent final:
                RememberSpeaker(final.Speaker);
                break;
            case TranscriptPartialEvent partial:
                RememberSpeaker(partial.Speaker);
                break;
        }
        if (_typePatterns is not null && !_typePatterns.Any(pattern => pattern.IsMatch(streamEvent.Type)))
        {
            return;
        }
        _cmdlet.WriteObject(streamEvent);
    }

    private void RememberSpeaker(string? speaker)
    {
        // The same speaker again within a second keeps its place for tab completion: no shared-dictionary write per event.
        var now = Environment.TickCount64;
        if (string.Equals(speaker, _lastSpeaker, StringComparison.Ordinal) && now - _lastSpeakerAddedAt < 1000)
        {
            return;
        }
        _lastSpeaker = speaker;
        _lastSpeakerAddedAt = now;
        Completion.SeenValues.AddSpeaker(speaker);
    }
}
