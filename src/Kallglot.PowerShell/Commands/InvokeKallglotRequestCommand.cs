using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.PowerShell.Conversion;
using Kallglot.Security;
using Kallglot.Sessions;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Invoke-KallglotRequest: the escape hatch for endpoints the module does not wrap, with the same
/// authentication, errors, retry rule and credit headers as the other cmdlets.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "KallglotRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject), typeof(KallglotResponse))]
public sealed class InvokeKallglotRequestCommand : KallglotApiCmdlet
{
    /// <summary>The HTTP method.</summary>
    [Parameter]
    [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE")]
    public string Method { get; set; } = "GET";

    /// <summary>The path under the API endpoint, such as /v1/sessions/sess_123.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.SessionPathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>The JSON body: a hashtable or object (converted to JSON) or a JSON string.</summary>
    [Parameter(Position = 1, ValueFromPipeline = true)]
    public object? Body { get; set; }

    /// <summary>Returns the whole response (status, headers, credits, body text) instead of the parsed body.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var method = new HttpMethod(Method.ToUpperInvariant());
        var body = BuildBody();
        if (method != HttpMethod.Get && !ShouldProcess(Redactor.Redact(Path), $"{method.Method} to the Kallglot API"))
        {
            return;
        }
        var response = Await(async cancellation =>
        {
            var client = CreateClient();
            // A session's stream token is as secret as the key: neither reaches the pipeline, whatever the endpoint answers.
            return (await client.SendAsync(method, Path, body, cancellation).ConfigureAwait(false)).WithCredentialsMasked(client.Options.ApiKey);
        }, Redactor.Redact(Path));
        if (Raw)
        {
            WriteObject(response);
            return;
        }
        if (string.IsNullOrWhiteSpace(response.Body))
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            WriteObject(PowerShellValueConverter.ToPowerShell(document.RootElement), enumerateCollection: true);
        }
        catch (JsonException)
        {
            WriteObject(response.Body);
        }
    }

    private JsonNode? BuildBody()
    {
        var value = PowerShellValueConverter.Unwrap(Body);
        if (value is null)
        {
            return null;
        }
        if (value is string text)
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException exception)
            {
                // The body as typed may hold a password, which no pattern knows: the error, which a log may keep, names it by its size.
                ThrowKallglotError(new KallglotValidationException("invalid_body", "Body",
                    $"-Body is a string but not JSON ({exception.Message}). Pass a hashtable, or a JSON string."), $"-Body ({text.Length} characters)");
            }
        }
        return JsonValueConverter.ToNode(value);
    }
}
