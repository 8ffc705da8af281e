using System.Management.Automation;
using System.Runtime.CompilerServices;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.PowerShell.Errors;
using Kallglot.PowerShell.Streaming;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Receive-KallglotStream: writes the stream's events to the pipeline as typed objects. Without
/// -Wait, the events buffered now; with -Wait, every event as it arrives until the stream is over
/// (the session ended and the connection closed, with whatever the server sent while it closed),
/// -TimeoutSec passes or Ctrl+C. Given many streams (an array, or piped) with -Wait, it follows all
/// of them at once, each stream's events in order, until every one is over.
/// An error event is a non-terminating error and the stream goes on. Ctrl+C loses nothing: an event
/// not yet written stays for the next call.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "KallglotStream")]
[OutputType(typeof(KallglotEvent), typeof(TranscriptPartialEvent), typeof(TranscriptFinalEvent), typeof(AudioOutputEvent),
    typeof(SessionReadyEvent), typeof(SessionEndedEvent), typeof(StreamReconnectedEvent))]
public sealed class ReceiveKallglotStreamCommand : KallglotCmdlet
{
    private readonly List<KallglotStream> _toFollow = [];
    private WaveOutputWriter? _audioOutput;
    private EventDelivery? _delivery;

    /// <summary>The stream, or streams, as Connect-KallglotStream returned them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public KallglotStream[] Stream { get; set; } = null!;

    /// <summary>Streams events as they arrive until the stream is over (every stream, given many): its session ended and its connection closed, or it failed; or -TimeoutSec, or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Only events of these types (wildcards allowed, such as transcript.*). Error events are always written as errors.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Type { get; set; }

    /// <summary>With -Wait: stop waiting after this many seconds (0: no limit; at most 2,147,483, about 24 days, the longest a timer holds).</summary>
    [Parameter]
    [ValidateRange(0, 2_147_483)]
    public int TimeoutSec { get; set; }

    /// <summary>Writes translated audio (audio.output) to this WAV file (PCM 16-bit 8 kHz) as it arrives; the file is valid at every moment. One stream only.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AudioOutputPath { get; set; }

    /// <summary>Replaces an existing -AudioOutputPath file. Without it an existing file is refused, except the one this stream is already writing, which goes on.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Wait)
        {
            // Followed together in EndProcessing: piped streams are received at once, not one call after another.
            _toFollow.AddRange(Stream.Where(stream => stream is not null && !_toFollow.Contains(stream)));
            return;
        }
        foreach (var stream in Stream)
        {
            ReceiveOne(stream);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_toFollow.Count == 1)
        {
            ReceiveOne(_toFollow[0]);
        }
        else if (_toFollow.Count > 1)
        {
            ReceiveMany(_toFollow);
        }
        base.EndProcessing();
    }

    private void ReceiveOne(KallglotStream stream)
    {
        if (AudioOutputPath is not null)
        {
            try
            {
                _audioOutput = AudioOutputFiles.For(stream, GetUnresolvedProviderPathFromPSPath(AudioOutputPath), Force);
            }
            catch (KallglotException exception)
            {
                ThrowKallglotError(exception, AudioOutputPath);
            }
        }
        _delivery = new EventDelivery(this, Type, _audioOutput);
        KallglotStreamReader reader;
        try
        {
            reader = stream.OpenReader();
        }
        catch (KallglotStreamException exception)
        {
            ThrowKallglotError(exception, stream);
            return;
        }
        try
        {
            using (reader)
            {
                if (Wait)
                {
                    Follow(stream, reader);
                }
                else
                {
                    DrainBuffered(stream, reader);
                    ReportFailureIfDrained(stream, terminating: false);
                }
            }
        }
        catch (KallglotException exception)
        {
            // The translated audio could not be written (a full disk under -AudioOutputPath), say: the events before it were written.
            ThrowKallglotError(exception, exception.ErrorId == "audio_output_write_failed" ? AudioOutputPath : stream);
        }
        catch (Exception exception) when (exception is not (PipelineStoppedException or PipelineClosedException or ActionPreferenceStopException or RuntimeException))
        {
            // A failure nobody foresaw still becomes an error record, never a raw trace.
            ThrowTerminatingError(ErrorRecordFactory.Unexpected(exception, stream));
        }
        finally
        {
            // Closed only once no more audio can come; a later receive with the same path finds the file complete, never truncated.
            if (_audioOutput is not null && stream.IsOverAndRead)
            {
                AudioOutputFiles.Close(stream);
            }
        }
    }

    private void Follow(KallglotStream stream, KallglotStreamReader reader)
    {
        using var timeout = TimeoutSec > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(TimeoutSec)) : new CancellationTokenSource();
        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(PipelineStopToken, timeout.Token);
        while (true)
        {
            // On past session.ended: a server may send its last events while the connection closes (RFC 6455 lets it), and they
            // belong to this call's output. The client closes at once on session.ended, so this waits at most the close timeout.
            DrainBuffered(stream, reader);
            FlushVerbose();
            bool more;
            try
            {
                more = Block(reader.WaitToReadAsync(waitCancellation.Token));
            }
            catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (OperationCanceledException)
            {
                WriteVerbose($"The stream was not over within {TimeoutSec} s; stopped waiting. It stays open: {stream}.");
                return;
            }
            catch (KallglotStreamException)
            {
                ReportFailureIfDrained(stream, terminating: true);
                return;
            }
            if (!more)
            {
                WriteVerbose($"The stream of session {stream.SessionId} is over ({stream.State}).");
                return;
            }
        }
    }

    private void ReceiveMany(IReadOnlyList<KallglotStream> streams)
    {
        if (AudioOutputPath is not null)
        {
            ThrowKallglotError(new KallglotException("audio_output_one_stream", KallglotErrorKind.InvalidArgument,
                $"-AudioOutputPath writes one stream's translated audio, and {streams.Count} streams were given. Receive each stream that needs a WAV file on its own with -AudioOutputPath, or leave the path out and use each audio.output event's Payload.")
            {
                RecommendedAction = "Give one stream with -AudioOutputPath.",
            }, AudioOutputPath);
        }
        _delivery = new EventDelivery(this, Type, audioOutput: null);
        StreamSetReader set;
        try
        {
            set = StreamSetReader.Open(streams);
        }
        catch (KallglotStreamException exception)
        {
            ThrowKallglotError(exception, streams);
            return;
        }
        using var timeout = TimeoutSec > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(TimeoutSec)) : new CancellationTokenSource();
        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(PipelineStopToken, timeout.Token);
        try
        {
            using (set)
            {
                while (true)
                {
                    FlushVerbose();
                    (KallglotStream Stream, KallglotStreamReader Reader)? next;
                    try
                    {
                        next = Block(set.WaitForStreamAsync(waitCancellation.Token));
                    }
                    catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
                    {
                        throw new PipelineStoppedException();
                    }
                    catch (OperationCanceledException)
                    {
                        WriteVerbose($"Not every stream was over within {TimeoutSec} s ({set.Unfinished} of {streams.Count} still going); stopped waiting. The streams stay open.");
                        return;
                    }
                    if (next is not { } ready)
                    {
                        WriteVerbose($"All {streams.Count} streams are over.");
                        return;
                    }
                    DrainBuffered(ready.Stream, ready.Reader);
                    if (ready.Reader.IsOver)
                    {
                        // Ended, closed, or failed; a failure is this stream's error, the others go on.
                        WriteVerbose($"The stream of session {ready.Stream.SessionId} is over ({ready.Stream.State}).");
                        ReportFailureIfDrained(ready.Stream, terminating: false);
                        set.Finish(ready.Stream);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is not (PipelineStoppedException or PipelineClosedException or ActionPreferenceStopException or RuntimeException))
        {
            ThrowTerminatingError(ErrorRecordFactory.Unexpected(exception, streams));
        }
    }

    /// <summary>Writes every buffered event.</summary>
    // On the receive path: optimized from its first call, since in pwsh PowerShell's own compiling puts off tier-up (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrainBuffered(KallglotStream stream, KallglotStreamReader reader)
    {
        while (stream.TryReadDiagnostic(out var line))
        {
            WriteVerbose(line);
        }
        if (stream.TakeDropWarning())
        {
            WriteWarning($"Unread events of session {stream.SessionId} passed the -MaxBufferMB bound: translated audio (audio.output) is being dropped until they are read; transcripts are kept. EventsDropped on the stream counts them. Receive more often, or raise -MaxBufferMB on Connect-KallglotStream.");
        }
        while (reader.TryPeek(out var streamEvent))
        {
            _delivery!.Deliver(streamEvent);
            // Taken only once written: if the pipeline stopped inside Deliver, the event stays for the next receive.
            reader.TryRead(out _);
        }
    }

    private void ReportFailureIfDrained(KallglotStream stream, bool terminating)
    {
        if (stream.Failure is not { } failure || stream.EventsPending > 0)
        {
            return;
        }
        var record = ErrorRecordFactory.From(failure, stream);
        if (terminating)
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }
}
