using System.Management.Automation;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Errors;
using Kallglot.PowerShell.Streaming;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Get-KallglotSession: the sessions this machine's user created, from the local session ledger
/// (the API has no way to list them): how each was created and, once its stream ended, how it went.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KallglotSession")]
[OutputType(typeof(KallglotSessionRecord))]
public sealed class GetKallglotSessionCommand : PSCmdlet
{
    /// <summary>Session ids to show; wildcards allowed (sess_1*).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Only sessions created at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only sessions created before this time.</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Only sessions in these states: Created (no outcome yet), Ended, Closed or Failed.</summary>
    [Parameter]
    [ValidateSet("Created", "Ended", "Closed", "Failed")]
    public string[]? Status { get; set; }

    /// <summary>At most this many sessions: the newest ones, listed in the order they were created.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? First { get; set; }

    /// <summary>The ledger file to read; by default the one Connect-Kallglot and $env:KALLGLOT_LEDGER name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LedgerPath { get; set; }

    private readonly List<string> _ids = new();
    private bool _anyId;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // Ids may come from upstream (New-KallglotSession | Get-KallglotSession): the ledger is read once they all have.
        if (Id is not null)
        {
            _anyId = true;
            _ids.AddRange(Id);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        foreach (var failure in LedgerOutcome.TakeFailures())
        {
            WriteWarning(failure);
        }
        var ledger = LedgerPath is not null ? new SessionLedger(GetUnresolvedProviderPathFromPSPath(LedgerPath)) : ModuleContext.Ledger;
        if (ledger is null)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("ledger_off", KallglotErrorKind.InvalidOperation,
                "The session ledger is off (Connect-Kallglot -NoLedger). Give -LedgerPath, or turn it on with Connect-Kallglot -LedgerPath.", null));
            return;
        }
        IReadOnlyList<KallglotSessionRecord> all;
        try
        {
            all = ledger.Read((line, reason) => WriteWarning($"Line {line} of the session ledger '{ledger.Path}' is damaged and was skipped ({reason})."));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("ledger_unreadable", KallglotErrorKind.File,
                $"The session ledger '{ledger.Path}' could not be read: {exception.Message}", ledger.Path));
            return;
        }
        var patterns = _anyId ? _ids.Select(id => new WildcardPattern(id, WildcardOptions.IgnoreCase)).ToArray() : null;
        var statuses = Status?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = all.Where(record =>
            (patterns is null || patterns.Any(pattern => pattern.IsMatch(record.Id)))
            && (Since is not { } since || record.CreatedAt >= ToOffset(since))
            && (Until is not { } until || record.CreatedAt < ToOffset(until))
            && (statuses is null || statuses.Contains(record.Status))).ToList();
        IEnumerable<KallglotSessionRecord> result = found;
        if (First is { } first)
        {
            result = found.Skip(Math.Max(0, found.Count - first));
        }
        foreach (var record in result)
        {
            WriteObject(record);
        }
    }

    private static DateTimeOffset ToOffset(DateTime time) => time.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(time, TimeZoneInfo.Local.GetUtcOffset(time)) : new DateTimeOffset(time);
}
