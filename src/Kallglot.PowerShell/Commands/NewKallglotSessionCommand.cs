using System.Collections;
using System.Management.Automation;
using Kallglot.Credits;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Errors;
using Kallglot.PowerShell.Conversion;
using Kallglot.Sessions;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// New-KallglotSession: creates a session (POST /v1/sessions), which costs one API credit. Binds
/// pipeline input by property name, so <c>Import-Csv lines.csv | New-KallglotSession</c> creates one per row.
/// </summary>
[Cmdlet(VerbsCommon.New, "KallglotSession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PhoneNumberSet)]
[OutputType(typeof(KallglotSession))]
public sealed class NewKallglotSessionCommand : KallglotApiCmdlet
{
    private const string PhoneNumberSet = RoutingParameters.PhoneNumberSet;
    private const string ConnectionIdSet = RoutingParameters.ConnectionIdSet;
    private const string SipSet = RoutingParameters.SipSet;

    /// <summary>A Kallglot-managed phone number in E.164 form, such as +14155550100.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PhoneNumberSet, ValueFromPipelineByPropertyName = true)]
    [Alias("phone_number", "Phone", "Number")]
    public string PhoneNumber { get; set; } = string.Empty;

    /// <summary>The id of a carrier connection configured for the organization.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectionIdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("connection_id")]
    public string ConnectionId { get; set; } = string.Empty;

    /// <summary>SIP routing fields, copied under routing as given, for example @{ sip_uri = 'sip:agent@example.com' }.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SipSet, ValueFromPipelineByPropertyName = true)]
    public Hashtable Sip { get; set; } = new();

    /// <summary>The caller's language (BCP-47, such as en or pt-BR); leave it out to let Kallglot detect it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("source_language")]
    [ArgumentCompleter(typeof(Completion.LanguageCompleter))]
    public string? SourceLanguage { get; set; }

    /// <summary>The language to translate into (BCP-47); leave it out to let Kallglot decide.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("target_language")]
    [ArgumentCompleter(typeof(Completion.LanguageCompleter))]
    public string? TargetLanguage { get; set; }

    /// <summary>Further request fields for API features the module does not name. 'provider' is refused: routing chooses the carrier.</summary>
    [Parameter]
    public Hashtable? Property { get; set; }

    /// <summary>
    /// A budget for this command: at most this many sessions are created from all its pipeline input;
    /// rows past it get credit_budget_exhausted and send no request. Applies with Connect-Kallglot -MaxCredits, whichever runs out first.
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? MaxCredits { get; set; }

    /// <summary>
    /// How many sessions are created at once from pipeline input (1 by default: one after another).
    /// Results still come out in input order, and with more than 1 an API refusal of one row is a
    /// non-terminating error, so the other rows go on.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    private readonly Queue<PendingCreation> _pending = new();
    private CreditBudget? _commandBudget;
    private CreditBudget? _processBudget;
    private SessionLedger? _ledger;
    private SemaphoreSlim? _throttle;
    private Task _previousRowPlaced = Task.CompletedTask;
    private KallglotClient? _client;
    private bool _whatIf;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? whatIf is SwitchParameter { IsPresent: true }
            : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
        // A dry run spends nothing: it counts against copies, so it shows which rows the budget would allow.
        _commandBudget = MaxCredits is { } limit ? new CreditBudget(limit) : null;
        _processBudget = ModuleContext.Budget is { } process ? (_whatIf ? process.Copy() : process) : null;
        _ledger = ModuleContext.Ledger;
        _throttle = new SemaphoreSlim(ThrottleLimit, ThrottleLimit);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var request = BuildRequest();
        try
        {
            request.Validate();
        }
        catch (KallglotValidationException exception)
        {
            // One bad row of a CSV should not stop the others: the error is the row's, not the command's.
            WriteRowError(exception, request.Target);
            return;
        }

        var reservation = CreditReservation.TryTake(_commandBudget, _processBudget);
        if (reservation is null)
        {
            var exhausted = _commandBudget is { Left: 0 } ? (_commandBudget, "this command's") : (_processBudget!, "this process's");
            WriteRowError(new CreditBudgetExhaustedException(request.Target, exhausted.Item1, exhausted.Item2), request.Target);
            return;
        }
        if (!ShouldProcess(request.Target, $"Create a Kallglot session (costs 1 API credit{BudgetNote()})"))
        {
            // Declined at -Confirm: nothing was spent. A dry run keeps its count, so later rows show what the budget would allow.
            if (!_whatIf)
            {
                reservation.Release();
            }
            return;
        }

        try
        {
            _client ??= CreateClient();
        }
        catch (KallglotException exception)
        {
            reservation.Release();
            ThrowKallglotError(exception, request.Target);
            return;
        }
        if (ThrottleLimit == 1)
        {
            var outcome = Await(cancellation => Settle(_client.CreateSessionAsync(request, cancellation)), request.Target);
            if (outcome.Value is { } created)
            {
                Deliver(created, Record(_ledger, created));
                return;
            }
            if (CreditReservation.CostNothing(outcome.Error))
            {
                reservation.Release();
            }
            // One at a time, an API refusal stops the command, as it always has: what follows would meet it too.
            ThrowTerminatingError(ErrorRecordFactory.Unexpected(outcome.Error!, request.Target));
            return;
        }
        _pending.Enqueue(Start(request, reservation));
        WriteCompleted(waitForAll: false);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        WriteCompleted(waitForAll: true);
        base.EndProcessing();
    }

    /// <summary>A row's own error: at once one at a time; in parallel, in its place among the rows still being created.</summary>
    private void WriteRowError(KallglotException exception, string target)
    {
        if (ThrottleLimit == 1 || _pending.Count == 0)
        {
            WriteKallglotError(exception, target);
            return;
        }
        _pending.Enqueue(new PendingCreation(target, null, Task.FromException<CreatedSession>(exception)));
    }

    private string BudgetNote()
    {
        var left = new[] { _commandBudget, _processBudget }.Where(budget => budget is not null).Select(budget => budget!.Left).DefaultIfEmpty(-1).Min();
        return left < 0 ? string.Empty : $"; {left} left in the budget after it";
    }

    private PendingCreation Start(CreateSessionRequest request, CreditReservation reservation)
    {
        var client = _client!;
        var throttle = _throttle!;
        var ledger = _ledger;
        var token = PipelineStopToken;
        // Rows take their places in input order, so the output (in input order) streams: a row asks for a place only once the row
        // before it has one. Left to the thread pool, a row whose task started late could wait behind every later one.
        var previousRowPlaced = _previousRowPlaced;
        var placed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _previousRowPlaced = placed.Task;
        // Not Task.Run(..., token): a row cancelled before it ran must still give its credit back.
        var task = Task.Run(async () =>
        {
            try
            {
                await previousRowPlaced.ConfigureAwait(false);
                await throttle.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                reservation.Release();
                throw;
            }
            finally
            {
                placed.SetResult();
            }
            if (token.IsCancellationRequested)
            {
                // Handed a place just as the command stopped: nothing was sent.
                throttle.Release();
                reservation.Release();
                token.ThrowIfCancellationRequested();
            }
            KallglotSession session;
            try
            {
                session = await client.CreateSessionAsync(request, token).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }
            // Recorded as soon as it exists, not when its turn in the output comes: a Ctrl+C or a stopping error before that
            // turn still leaves every session created, and paid for, in the ledger.
            return new CreatedSession(session, Record(ledger, session));
        }, CancellationToken.None);
        return new PendingCreation(request.Target, reservation, task);
    }

    /// <summary>Writes finished creations in input order: all of them, or those ready now.</summary>
    private void WriteCompleted(bool waitForAll)
    {
        while (_pending.TryPeek(out var next) && (waitForAll || next.Task.IsCompleted))
        {
            // A finished creation is read at once; only one still under way is waited on, with verbose lines and Ctrl+C handled.
            var outcome = next.Task.IsCompleted ? Settle(next.Task).GetAwaiter().GetResult() : Await(_ => Settle(next.Task), next.Target);
            _pending.Dequeue();
            if (outcome.Value is { } created)
            {
                Deliver(created.Session, created.LedgerFailure);
                continue;
            }
            if (next.Reservation is { } held && CreditReservation.CostNothing(outcome.Error))
            {
                held.Release();
            }
            WriteError(ErrorRecordFactory.Unexpected(outcome.Error!, next.Target));
        }
    }

    /// <summary>Writes the session's ledger line; the reason it could not, if so, for a warning on the pipeline thread.</summary>
    private static string? Record(SessionLedger? ledger, KallglotSession session)
    {
        try
        {
            ledger?.Append(SessionLedger.Created(session, DateTimeOffset.UtcNow));
            return null;
        }
        catch (KallglotException exception)
        {
            return exception.Message;
        }
    }

    private void Deliver(KallglotSession session, string? ledgerFailure)
    {
        WriteVerbose($"Session {session.Id} created; token valid until {session.TokenExpiresAt:u} ({session.TokenExpirySource}); credits remaining {session.CreditsRemaining?.ToString() ?? "not reported"}, used {session.CreditsUsed?.ToString() ?? "not reported"}.");
        if (session.TokenExpirySource == "unreadable")
        {
            WriteWarning($"Session {session.Id} was created, but the API's token expiry could not be read (out of range); the documented 5 minutes are assumed, until {session.TokenExpiresAt:u}. Connect promptly.");
        }
        if (session.CreditsRemaining is null && ModuleContext.ReportCreditsNotReported())
        {
            WriteWarning($"The Kallglot API did not report the credits remaining with session {session.Id} (no X-API-Credits-Remaining header), so Connect-Kallglot -LowCreditWarning cannot warn before they run out. Check the credits another way.");
        }
        if (ModuleContext.ReportCreditsRemaining(session.CreditsRemaining))
        {
            WriteWarning($"The Kallglot API reports {session.CreditsRemaining} credits remaining, below the warning threshold of {ModuleContext.LowCreditWarning} (Connect-Kallglot -LowCreditWarning). Add credits before they run out.");
        }
        if (ledgerFailure is not null)
        {
            WriteWarning(ledgerFailure);
        }
        Completion.SeenValues.AddSession(session.Id);
        WriteObject(session);
    }

    /// <summary>The created session, or the failure as a value: each row's outcome is its own.</summary>
    private static async Task<(T? Value, Exception? Error)> Settle<T>(Task<T> creation) where T : class
    {
        try
        {
            return (await creation.ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return (null, exception);
        }
    }

    private CreateSessionRequest BuildRequest()
    {
        var request = RoutingParameters.ToRequest(ParameterSetName, PhoneNumber, ConnectionId, Sip);
        request.SourceLanguage = string.IsNullOrWhiteSpace(SourceLanguage) ? null : SourceLanguage.Trim();
        request.TargetLanguage = string.IsNullOrWhiteSpace(TargetLanguage) ? null : TargetLanguage.Trim();
        if (Property is not null)
        {
            foreach (DictionaryEntry entry in Property)
            {
                request.AdditionalProperties[entry.Key.ToString() ?? string.Empty] = PowerShellValueConverter.Unwrap(entry.Value);
            }
        }
        return request;
    }
}
