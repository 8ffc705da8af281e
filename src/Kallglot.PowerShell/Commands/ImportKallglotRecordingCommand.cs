using System.Collections.ObjectModel;
using System.Management.Automation;
using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Files;
using Kallglot.PowerShell.Errors;
using Kallglot.PowerShell.Streaming;
using Kallglot.Recordings;
using Kallglot.Streaming.Events;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Import-KallglotRecording: reads recordings made with Connect-KallglotStream -RecordPath back into
/// the typed events Receive-KallglotStream wrote live, with their original times, session id and
/// index, one line at a time.
/// </summary>
[Cmdlet(VerbsData.Import, "KallglotRecording", DefaultParameterSetName = PathSet)]
[OutputType(typeof(KallglotEvent), typeof(TranscriptPartialEvent), typeof(TranscriptFinalEvent), typeof(AudioOutputEvent),
    typeof(SessionReadyEvent), typeof(SessionEndedEvent), typeof(StreamReconnectedEvent))]
public sealed class ImportKallglotRecordingCommand : KallglotCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private WaveOutputWriter? _audioOutput;
    private EventDelivery? _delivery;

    /// <summary>Recordings to read; wildcards allowed. Paths and files (Get-ChildItem) can come from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Recordings to read, taken as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Only events of these types (wildcards allowed, such as transcript.*), as Receive-KallglotStream -Type. Error events are always written as errors.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Type { get; set; }

    /// <summary>Rebuilds the translated audio (audio.output) as a WAV file (PCM 16-bit 8 kHz).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AudioOutputPath { get; set; }

    /// <summary>Replaces an existing -AudioOutputPath file; without it an existing file is refused.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (AudioOutputPath is not null)
        {
            try
            {
                _audioOutput = new WaveOutputWriter(GetUnresolvedProviderPathFromPSPath(AudioOutputPath), Force.IsPresent);
            }
            catch (KallglotException exception)
            {
                ThrowKallglotError(exception, AudioOutputPath);
            }
        }
        _delivery = new EventDelivery(this, Type, _audioOutput);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles())
        {
            Import(file);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        _audioOutput?.Dispose();
        base.EndProcessing();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _audioOutput?.Dispose();
        }
        base.Dispose(disposing);
    }

    private IEnumerable<string> ResolveFiles()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var literal in LiteralPath)
            {
                yield return GetUnresolvedProviderPathFromPSPath(literal);
            }
            yield break;
        }
        foreach (var pattern in Path)
        {
            Collection<string>? resolved = null;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(pattern, out _);
            }
            catch (ItemNotFoundException)
            {
                // Reported below, as a pattern that matches nothing is.
            }
            if (resolved is not { Count: > 0 })
            {
                WriteError(ErrorRecordFactory.Create("recording_not_found", KallglotErrorKind.NotFound,
                    $"No recording matches '{pattern}'. Give the path of a file written with Connect-KallglotStream -RecordPath.", pattern));
                continue;
            }
            foreach (var path in resolved)
            {
                yield return path;
            }
        }
    }

    private void Import(string path)
    {
        IEnumerable<RecordingEntry> entries;
        try
        {
            entries = RecordingReader.Read(path);
        }
        catch (KallglotException exception)
        {
            WriteKallglotError(exception, path);
            return;
        }
        try
        {
            Deliver(path, entries);
        }
        catch (KallglotException exception) when (exception.ErrorId == "recording_unreadable")
        {
            // This file could not be read to its end; the next one may be.
            WriteKallglotError(exception, path);
        }
        catch (KallglotException exception)
        {
            // The audio output cannot be written (a full disk): no later file could be either.
            ThrowKallglotError(exception, AudioOutputPath);
        }
    }

    private void Deliver(string path, IEnumerable<RecordingEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Event is { } streamEvent)
            {
                _delivery!.Deliver(streamEvent);
            }
            else if (entry.Truncated)
            {
                WriteWarning($"The last line ({entry.LineNumber}) of '{path}' is cut short, as a recording interrupted by a crash is; the events before it were read.");
            }
            else
            {
                WriteError(ErrorRecordFactory.Create("recording_line_damaged", KallglotErrorKind.Protocol,
                    $"Line {entry.LineNumber} of '{path}' is not a recorded frame ({entry.Damage}); it was skipped and reading went on.", path));
            }
        }
    }
}
