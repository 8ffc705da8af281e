using System.Diagnostics;
using System.Text.Json;

namespace Kallglot.Benchmarks.Harness;

/// <summary>Runs a script in a fresh pwsh process and reads the JSON object it prints last.</summary>
internal sealed class PowerShellRunner(string pwshDll)
{
    public TimeSpan TimeCommand(string command)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = Start(command);
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pwsh exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
        }
        return stopwatch.Elapsed;
    }

    public JsonElement RunJson(string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(script, environment);
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(line => line.StartsWith('{'));
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"pwsh script failed ({process.ExitCode}): {output} {stderr.Result}");
        }
        using var document = JsonDocument.Parse(last);
        return document.RootElement.Clone();
    }

    private Process Start(string command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(pwshDll);
        start.ArgumentList.Add("-NoProfile");
        start.ArgumentList.Add("-NonInteractive");
        start.ArgumentList.Add("-Command");
        start.ArgumentList.Add(command);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }
}
