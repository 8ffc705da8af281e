using System.Management.Automation;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.PowerShell.Errors;
using Kallglot.PowerShell.Streaming;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Receive-KallglotStream: writes the stream's events to the pipeline as typed objects. Without
/// -Wait, the events buffered now; with -Wait, every event as it arrives until the session ends,
/// the connection closes, -TimeoutSec passes or Ctrl+C. An error event is a non-terminating error
/// and the stream goes on. Ctrl+C loses nothing: an event not yet written stays for the next call.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "KallglotStream")]
[OutputType(typeof(KallglotEvent), typeof(TranscriptPartialEvent), typeof(TranscriptFinalEvent), typeof(AudioOutputEvent),
    typeof(SessionReadyEvent), typeof(SessionEndedEvent), typeof(StreamReconnectedEvent))]
public sealed class ReceiveKallglotStreamCommand : KallglotCmdlet
{
    private WaveOutputWriter? _audioOutput;
    private EventDelivery? _delivery;

    /// <summary>The stream, as Connect-KallglotStream returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KallglotStream Stream { get; set; } = null!;

    /// <summary>Streams events as they arrive until the session ends, the connection closes, -TimeoutSec or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Only events of these types (wildcards allowed, such as transcript.*). Error events are always written as errors.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Type { get; set; }

    /// <summary>With -Wait: stop waiting after this many seconds (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>Writes translated audio (audio.output) to this WAV file (PCM 16-bit 8 kHz) as it arrives; the file is valid at every moment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AudioOutputPath { get; set; }

    /// <summary>Replaces an existing -AudioOutputPath file. Without it an existing file is refused, except the one this stream is already writing, which goes on.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (AudioOutputPath is not null)
        {
            try
            {
                _audioOutput = AudioOutputFiles.For(Stream, GetUnresolvedProviderPathFromPSPath(AudioOutputPath), Force);
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
            reader = Stream.OpenReader();
        }
        catch (KallglotStreamException exception)
        {
            ThrowKallglotError(exception, Stream);
            return;
        }
        try
        {
            using (reader)
            {
                Receive(reader);
            }
        }
        catch (Exception exception) when (exception is not (PipelineStoppedException or PipelineClosedException or ActionPreferenceStopException or RuntimeException))
        {
            // A failure nobody foresaw (a full disk under -AudioOutputPath, say) still becomes an error record, never a raw trace.
            ThrowTerminatingError(ErrorRecordFactory.Unexpected(exception, Stream));
        }
        finally
        {
            // Closed only once no more audio can come; a later receive with the same path finds the file complete, never truncated.
            if (_audioOutput is not null && !Stream.HasActiveWork && Stream.EventsPending == 0)
            {
                AudioOutputFiles.Close(Stream);
            }
        }
    }

    private void Receive(KallglotStreamReader reader)
    {
        if (!Wait)
        {
            DrainBuffered(reader);
            ReportFailureIfDrained(terminating: false);
            return;
        }

        using var timeout = TimeoutSec > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(TimeoutSec)) : new CancellationTokenSource();
        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(PipelineStopToken, timeout.Token);
        while (true)
        {
            if (DrainBuffered(reader))
            {
                return;
            }
            FlushVerbose();
            bool more;
            try
            {
                more = reader.WaitToReadAsync(waitCancellation.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (OperationCanceledException)
            {
                WriteVerbose($"No session end within {TimeoutSec} s; stopped waiting. The stream stays open: {Stream}.");
                return;
            }
            catch (KallglotStreamException)
            {
                ReportFailureIfDrained(terminating: true);
                return;
            }
            if (!more)
            {
                WriteVerbose($"The stream of session {Stream.SessionId} is over ({Stream.State}).");
                return;
            }
        }
    }

    /// <summary>Writes every buffered event; true when the session's end was among them.</summary>
    private bool DrainBuffered(KallglotStreamReader reader)
    {
        while (Stream.TryReadDiagnostic(out var line))
        {
            WriteVerbose(line);
        }
        if (Stream.TakeDropWarning())
        {
            WriteWarning($"Unread events of session {Stream.SessionId} passed the -MaxBufferMB bound: translated audio (audio.output) is being dropped until they are read; transcripts are kept. EventsDropped on the stream counts them. Receive more often, or raise -MaxBufferMB on Connect-KallglotStream.");
        }
        while (reader.TryPeek(out var streamEvent))
        {
            _delivery!.Deliver(streamEvent);
            // Taken only once written: if the pipeline stopped inside Deliver, the event stays for the next receive.
            reader.TryRead(out _);
            if (streamEvent is SessionEndedEvent)
            {
                return true;
            }
        }
        return false;
    }

    private void ReportFailureIfDrained(bool terminating)
    {
        if (Stream.Failure is not { } failure || Stream.EventsPending > 0)
        {
            return;
        }
        var record = ErrorRecordFactory.From(failure, Stream);
        if (terminating)
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }
}
