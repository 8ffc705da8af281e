using System.Diagnostics;
using System.Text.Json;
using Kallglot.Errors;

namespace Kallglot.PowerShell.Emulator;

/// <summary>
/// Starts the emulator as a process on the dotnet host and reads the one JSON line it prints when
/// ready. No PowerShell types: Start-KallglotEmulator and the benchmarks both start it through here.
/// </summary>
internal static class EmulatorLauncher
{
    /// <summary>A started emulator: its process (stopped by closing its standard input), endpoint and key.</summary>
    internal sealed record Launched(Process Process, Uri BaseUri, string ApiKey);

    /// <exception cref="KallglotException">It could not start, exited first, or did not report ready within <paramref name="startTimeout"/>.</exception>
    public static async Task<Launched> StartAsync(string dotnet, string emulatorPath, IEnumerable<string> arguments, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        start.ArgumentList.Add(emulatorPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new KallglotException("emulator_start_failed", KallglotErrorKind.InvalidOperation,
            $"The emulator process could not be started with {dotnet}.");
        var errorOutput = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(startTimeout);
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KallglotException("emulator_start_timeout", KallglotErrorKind.Timeout,
                    $"The emulator did not report ready within {startTimeout.TotalSeconds:0} s. Try -StartTimeoutSec with a larger value.");
            }
            if (line is null)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw StartFailure(process.ExitCode, await errorOutput.ConfigureAwait(false));
            }
            // The emulator prints nothing else on stdout; reading on keeps its pipe from filling.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            using var ready = JsonDocument.Parse(line);
            return new Launched(process, new Uri(ready.RootElement.GetProperty("baseUri").GetString()!), ready.RootElement.GetProperty("apiKey").GetString()!);
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
            throw;
        }
    }

    private static KallglotException StartFailure(int exitCode, string stderr)
    {
        if (stderr.Contains("Microsoft.AspNetCore.App", StringComparison.Ordinal))
        {
            return new KallglotException("emulator_runtime_missing", KallglotErrorKind.InvalidOperation,
                "The emulator needs the ASP.NET Core 10 runtime (Microsoft.AspNetCore.App), which is not installed. Install the .NET 10 SDK or the ASP.NET Core runtime, then try again.");
        }
        var firstLine = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
        return new KallglotException("emulator_start_failed", KallglotErrorKind.InvalidOperation,
            $"The emulator exited with code {exitCode} before it was ready: {firstLine}");
    }
}
