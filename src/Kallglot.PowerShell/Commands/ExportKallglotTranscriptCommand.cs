using System.Management.Automation;
using Kallglot.Errors;
using Kallglot.Streaming.Events;
using Kallglot.Transcripts;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Export-KallglotTranscript: writes the final transcripts in the pipeline to a .srt, .vtt, .csv,
/// .jsonl or .txt file as they arrive (each flushed at once); other events pass by, or through with -PassThru.
/// </summary>
[Cmdlet(VerbsData.Export, "KallglotTranscript", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotEvent))]
public sealed class ExportKallglotTranscriptCommand : PSCmdlet, IDisposable
{
    private TranscriptWriter? _writer;

    /// <summary>The file to write; its extension picks the format unless -Format is given.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The format, when the extension does not say it.</summary>
    [Parameter]
    public TranscriptFormat? Format { get; set; }

    /// <summary>Events from Receive-KallglotStream; only transcript.final events are written.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public KallglotEvent? InputObject { get; set; }

    /// <summary>Replaces an existing file at -Path; without -Force or -Append an existing file is refused and left as it is.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Adds to an existing file at -Path (no second header; SubRip cues numbered on from the last).</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>Writes every input event on down the pipeline, so the export can sit in the middle of one.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var format = Format ?? TranscriptWriter.FormatFor(path);
        if (format is null)
        {
            ThrowTerminatingError(Errors.ErrorRecordFactory.Create("transcript_format_unknown", KallglotErrorKind.InvalidArgument,
                $"'{System.IO.Path.GetFileName(path)}' does not say which format to write. Use a .srt, .vtt, .csv, .jsonl or .txt name, or -Format.", path));
        }
        if (!ShouldProcess(path, $"Write the transcript as {format}"))
        {
            return;
        }
        try
        {
            _writer = TranscriptWriter.Create(path, format!.Value, Conversion.OutputFileModeParameters.From(Force, Append, "-Path"));
        }
        catch (KallglotException exception)
        {
            ThrowTerminatingError(Errors.ErrorRecordFactory.From(exception, path));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (InputObject is TranscriptFinalEvent final && _writer is not null)
        {
            try
            {
                _writer.Write(final);
            }
            catch (IOException exception)
            {
                ThrowTerminatingError(Errors.ErrorRecordFactory.Create("transcript_write_failed", KallglotErrorKind.FileWrite,
                    $"Could not write to the transcript '{Path}': {exception.Message} Free disk space or choose another path.", final));
            }
        }
        if (PassThru && InputObject is not null)
        {
            WriteObject(InputObject);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_writer is not null)
        {
            WriteVerbose($"{_writer.Count} utterance(s) written to {Path}.");
        }
        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
