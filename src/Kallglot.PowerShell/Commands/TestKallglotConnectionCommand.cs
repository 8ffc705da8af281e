using System.Management.Automation;
using Kallglot.Audio;
using Kallglot.Credits;
using Kallglot.Diagnostics;
using Kallglot.Errors;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Conversion;
using Kallglot.PowerShell.Errors;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Test-KallglotConnection: checks the API end to end (session creation, stream ready time, a round
/// trip from audio to a final transcript with translation, credits) and returns the figures.
/// It creates one session, which costs one API credit.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "KallglotConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = RoutingParameters.PhoneNumberSet)]
[OutputType(typeof(ConnectionCheckResult))]
public sealed class TestKallglotConnectionCommand : KallglotApiCmdlet
{
    /// <summary>A WAV of speech to play as the caller; by default the short sample call that ships with the module.</summary>
    [Parameter]
    public string? AudioPath { get; set; }

    /// <summary>How long the whole check may take, in seconds.</summary>
    [Parameter]
    [ValidateRange(5, 600)]
    public int CheckTimeoutSec { get; set; } = 60;

    /// <summary>The phone number (E.164, such as +14155550100) the check's session routes to, as New-KallglotSession takes it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RoutingParameters.PhoneNumberSet)]
    public string PhoneNumber { get; set; } = string.Empty;

    /// <summary>The telephony connection id the check's session routes to, as New-KallglotSession takes it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RoutingParameters.ConnectionIdSet)]
    public string ConnectionId { get; set; } = string.Empty;

    /// <summary>SIP routing fields for the check's session, copied under routing as given, as New-KallglotSession takes them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RoutingParameters.SipSet)]
    public System.Collections.Hashtable Sip { get; set; } = new();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var request = RoutingParameters.ToRequest(ParameterSetName, PhoneNumber, ConnectionId, Sip);
        try
        {
            request.Validate();
        }
        catch (KallglotValidationException exception)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(exception, request.Target));
        }
        var audio = AudioPath is null
            ? Path.Combine(Path.GetDirectoryName(typeof(TestKallglotConnectionCommand).Assembly.Location)!, "samples", "sample-call.wav")
            : GetUnresolvedProviderPathFromPSPath(AudioPath);
        try
        {
            // Read before a credit is spent: a file that is not audio fails here, not after the session is made.
            MuLawFrameReader.Open(audio).Dispose();
        }
        catch (KallglotException exception)
        {
            ThrowKallglotError(exception, audio);
        }
        if (!ShouldProcess("Kallglot API", "Run an end-to-end check (creates a session: 1 API credit)"))
        {
            return;
        }
        KallglotClient client;
        try
        {
            client = CreateClient();
        }
        catch (KallglotException exception)
        {
            ThrowKallglotError(exception, request.Target);
            return;
        }
        // The check's session is a session like any other: it counts against Connect-Kallglot -MaxCredits and is in the ledger.
        var budget = ModuleContext.Budget;
        var reservation = CreditReservation.TryTake(budget);
        if (reservation is null)
        {
            ThrowKallglotError(new CreditBudgetExhaustedException(request.Target, budget!, "this process's"), request.Target);
            return;
        }
        // Stopped (Ctrl+C) before the check says whether its session was made, the credit stays spent: a budget is never exceeded.
        var result = Await(cancellation => ConnectionCheck.RunAsync(client, request, audio, TimeSpan.FromSeconds(CheckTimeoutSec), ModuleContext.Ledger, cancellation), audio);
        if (result.CreationRefused)
        {
            reservation.Release();
        }
        if (result.SessionId is not null)
        {
            Completion.SeenValues.AddSession(result.SessionId);
        }
        foreach (var warning in result.Warnings)
        {
            WriteWarning(warning);
        }
        WriteVerbose(result.ToString());
        WriteObject(result);
    }
}
