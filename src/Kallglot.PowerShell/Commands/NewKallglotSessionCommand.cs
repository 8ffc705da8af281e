using System.Collections;
using System.Management.Automation;
using Kallglot.Errors;
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
            WriteKallglotError(exception, request.Target);
            return;
        }

        if (!ShouldProcess(request.Target, "Create a Kallglot session (costs 1 API credit)"))
        {
            return;
        }

        var session = Await(cancellation => CreateClient().CreateSessionAsync(request, cancellation), request.Target);
        WriteVerbose($"Session {session.Id} created; token valid until {session.TokenExpiresAt:u} ({session.TokenExpirySource}); credits remaining {session.CreditsRemaining?.ToString() ?? "not reported"}, used {session.CreditsUsed?.ToString() ?? "not reported"}.");
        if (session.TokenExpirySource == "unreadable")
        {
            WriteWarning($"Session {session.Id} was created, but the API's token expiry could not be read (out of range); the documented 5 minutes are assumed, until {session.TokenExpiresAt:u}. Connect promptly.");
        }
        Completion.SeenValues.AddSession(session.Id);
        WriteObject(session);
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
