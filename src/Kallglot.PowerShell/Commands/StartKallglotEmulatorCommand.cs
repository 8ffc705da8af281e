using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.Json;
using Kallglot.Errors;
using Kallglot.PowerShell.Context;
using Kallglot.PowerShell.Emulator;
using Kallglot.PowerShell.Errors;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// Start-KallglotEmulator: runs the Kallglot API emulator that ships in the module, on a free
/// loopback port, for offline tests, demos and operational checks. Needs the ASP.NET Core runtime.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "KallglotEmulator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(KallglotEmulator))]
public sealed class StartKallglotEmulatorCommand : KallglotCmdlet
{
    /// <summary>The loopback port; 0 (the default) picks a free one.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>Credits the emulated organization starts with.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Credits { get; set; } = 1000;

    /// <summary>Lifetime of stream tokens, in seconds (the API documents 300).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TokenTtlSeconds { get; set; } = 300;

    /// <summary>Shape of session responses; Varying picks one per request so clients cannot depend on one.</summary>
    [Parameter]
    [ValidateSet("Canonical", "Flat", "Nested", "UrlOnly", "Varying")]
    public string ResponseShape { get; set; } = "Canonical";

    /// <summary>Shape of error bodies; Varying picks one per response.</summary>
    [Parameter]
    [ValidateSet("Nested", "Flat", "Empty", "Varying")]
    public string ErrorShape { get; set; } = "Nested";

    /// <summary>Seconds without frames from the client after which the emulator ends a session with reason idle_timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int IdleTimeoutSeconds { get; set; } = 60;

    /// <summary>A JSON file of scripted utterances: an array of { text, translation }.</summary>
    [Parameter]
    public string? ScriptPath { get; set; }

    /// <summary>Sends translated audio as fast as possible instead of in real time.</summary>
    [Parameter]
    public SwitchParameter NoAudioPacing { get; set; }

    /// <summary>Also makes the emulator the default endpoint and key (Connect-Kallglot) for this PowerShell process.</summary>
    [Parameter]
    public SwitchParameter Connect { get; set; }

    /// <summary>How long to wait for the emulator to start.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int StartTimeoutSec { get; set; } = 60;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(StartKallglotEmulatorCommand).Assembly.Location)!;
        var emulatorPath = Path.Combine(moduleDirectory, "emulator", "Kallglot.Emulator.dll");
        if (!File.Exists(emulatorPath))
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("emulator_not_found", KallglotErrorKind.File,
                $"The emulator is not in the module folder ({emulatorPath}). Rebuild the module with ./build.ps1 -Task Build, or reinstall it.", emulatorPath));
        }
        var dotnet = DotnetHostLocator.Find();
        if (dotnet is null)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create("dotnet_not_found", KallglotErrorKind.File,
                "The emulator runs on the dotnet host, which was not found. Install the .NET 10 runtime with ASP.NET Core, or put dotnet on PATH.", null));
        }
        if (ScriptPath is not null)
        {
            ScriptPath = GetUnresolvedProviderPathFromPSPath(ScriptPath);
            if (!File.Exists(ScriptPath))
            {
                ThrowTerminatingError(ErrorRecordFactory.Create("script_not_found", KallglotErrorKind.File,
                    $"The utterance script '{ScriptPath}' does not exist. Give a JSON file holding an array of {{ \"text\": ..., \"translation\": ... }}.", ScriptPath));
            }
        }
        if (!ShouldProcess($"127.0.0.1:{(Port == 0 ? "free port" : Port.ToString(CultureInfo.InvariantCulture))}", "Start the Kallglot API emulator"))
        {
            return;
        }

        var emulator = Await(cancellation => StartAsync(dotnet!, emulatorPath, cancellation), emulatorPath);
        EmulatorRegistry.Add(emulator);
        WriteVerbose($"Kallglot emulator running at {emulator.BaseUri} (process {emulator.ProcessId}).");
        if (Connect)
        {
            ModuleContext.Set(emulator.ApiKey, emulator.BaseUri, allowInsecureConnection: false);
        }
        WriteObject(emulator);
    }

    private async Task<KallglotEmulator> StartAsync(string dotnet, string emulatorPath, CancellationToken cancellation)
    {
        var launched = await EmulatorLauncher.StartAsync(dotnet, emulatorPath, Arguments(), TimeSpan.FromSeconds(StartTimeoutSec), cancellation).ConfigureAwait(false);
        var key = new SecureString();
        foreach (var character in launched.ApiKey)
        {
            key.AppendChar(character);
        }
        key.MakeReadOnly();
        return new KallglotEmulator(launched.Process, launched.BaseUri, key);
    }

    private IEnumerable<string> Arguments()
    {
        yield return "--port";
        yield return Port.ToString(CultureInfo.InvariantCulture);
        yield return "--credits";
        yield return Credits.ToString(CultureInfo.InvariantCulture);
        yield return "--token-ttl-seconds";
        yield return TokenTtlSeconds.ToString(CultureInfo.InvariantCulture);
        yield return "--response-shape";
        yield return ResponseShape;
        yield return "--error-shape";
        yield return ErrorShape;
        yield return "--idle-timeout-seconds";
        yield return IdleTimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        if (ScriptPath is not null)
        {
            yield return "--script";
            yield return ScriptPath;
        }
        if (NoAudioPacing)
        {
            yield return "--no-audio-pacing";
        }
    }
}
