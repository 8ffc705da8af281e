using System.Management.Automation;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Pacing;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Send-KallglotAudio: sends an audio file on the stream as <c>audio.input</c> frames, converted to
/// 8 kHz G.711 mu-law and paced like a live call. With -Background it returns at once, writing the
/// stream to the pipeline so Receive-KallglotStream -Wait can print events live while the file plays.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "KallglotAudio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AudioSendResult), typeof(KallglotStream))]
public sealed class SendKallglotAudioCommand : KallglotCmdlet
{
    /// <summary>The stream, as Connect-KallglotStream returned it.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KallglotStream Stream { get; set; } = null!;

    /// <summary>The audio file: a WAV (PCM, float, mu-law or A-law; any common rate; mono or stereo), or headerless mu-law with -Encoding MuLaw. Files piped from Get-ChildItem bind by their FullName and are sent one after the other.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "LiteralPath")]
    public string Path { get; set; } = string.Empty;

    /// <summary>The speaker label the frames carry.</summary>
    [Parameter]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(Completion.SpeakerCompleter))]
    public string Speaker { get; set; } = "caller";

    /// <summary>How to read the file: Wav (from its header) or MuLaw (headerless 8 kHz mono mu-law).</summary>
    [Parameter]
    public AudioInputEncoding Encoding { get; set; } = AudioInputEncoding.Wav;

    /// <summary>Audio per frame, in milliseconds (20 ms = 160 bytes by default).</summary>
    [Parameter]
    [ValidateRange(10, 1000)]
    public int FrameMilliseconds { get; set; } = 20;

    /// <summary>Sends as fast as possible instead of in real time.</summary>
    [Parameter]
    public SwitchParameter NoPacing { get; set; }

    /// <summary>Returns a summary: frames, bytes, audio duration, elapsed time.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Sends in the background of the stream and writes the stream to the pipeline at once; a failure surfaces in Receive-KallglotStream.</summary>
    [Parameter]
    public SwitchParameter Background { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        try
        {
            SpeakerLabel.Validate(Speaker);
        }
        catch (KallglotValidationException exception)
        {
            ThrowKallglotError(exception, Speaker);
        }
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        MuLawFrameReader reader;
        try
        {
            reader = MuLawFrameReader.Open(path, Encoding, FrameMilliseconds);
        }
        catch (KallglotException exception)
        {
            ThrowKallglotError(exception, path);
            return;
        }
        if (Stream.State is not (KallglotStreamState.Open or KallglotStreamState.Reconnecting))
        {
            reader.Dispose();
            ThrowKallglotError(new KallglotStreamException("stream_closed", KallglotErrorKind.InvalidOperation,
                $"Cannot send: the stream of session {Stream.SessionId} is {Stream.State}{(Stream.EndReason is null ? string.Empty : $" ({Stream.EndReason})")}. Create a new session and connect to it."), Stream);
        }
        if (!ShouldProcess($"session {Stream.SessionId}", $"Send {reader.Duration.TotalSeconds:0.0} s of audio from {System.IO.Path.GetFileName(path)} ({reader.SourceFormat})"))
        {
            reader.Dispose();
            return;
        }

        Completion.SeenValues.AddSpeaker(Speaker);
        WriteVerbose($"Sending {path} ({reader.SourceFormat}, {reader.Duration.TotalSeconds:0.0} s) as '{Speaker}' in {reader.TotalFrames} frames of {FrameMilliseconds} ms{(NoPacing ? ", unpaced" : ", in real time")}.");
        if (!NoPacing)
        {
            var pacer = FramePacer.Shared.Priority;
            WriteVerbose($"Frames are paced by a thread at {pacer}: {pacer.Reason}.");
        }
        if (Background)
        {
            var send = Stream.StartBackgroundSend(reader, Speaker, paced: !NoPacing);
            WriteVerbose($"Sending in the background: {send}. Receive-KallglotStream shows its events and any failure.");
            WriteObject(Stream);
            return;
        }

        var activity = $"Sending {System.IO.Path.GetFileName(path)} to session {Stream.SessionId}";
        // The file is closed by the send itself once it has ended: Ctrl+C returns at once, and a frame being read then finishes first.
        var result = Await(async cancellation =>
        {
            using (reader)
            {
                return await AudioSender.SendAsync(Stream, reader, Speaker, !NoPacing,
                    progress => QueueProgress(new ProgressRecord(0, activity, $"{progress.AudioSent.TotalSeconds:0.0} s of {progress.AudioTotal.TotalSeconds:0.0} s")
                    {
                        PercentComplete = progress.Percent,
                        SecondsRemaining = (int)progress.Remaining(!NoPacing).TotalSeconds,
                    }), cancellation).ConfigureAwait(false);
            }
        }, path);
        WriteProgress(new ProgressRecord(0, activity, "Done") { RecordType = ProgressRecordType.Completed });
        WriteVerbose($"Sent {result}.");
        if (PassThru)
        {
            WriteObject(result);
        }
    }
}
