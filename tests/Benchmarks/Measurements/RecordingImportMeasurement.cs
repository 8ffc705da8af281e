using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Reading a recording of 200,000 events back: Import-KallglotRecording | Measure-Object against
/// Get-Content | ConvertFrom-Json | Measure-Object and against a plain C# loop parsing the same file.
/// </summary>
internal static class RecordingImportMeasurement
{
    private const string ModuleScript = """
        $ErrorActionPreference = 'Stop'
        Import-Module $env:KG_MODULE
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $cold = (Import-KallglotRecording -LiteralPath $env:KG_RECORDING | Measure-Object).Count
        $coldSeconds = $watch.Elapsed.TotalSeconds
        $watch.Restart()
        $warm = (Import-KallglotRecording -LiteralPath $env:KG_RECORDING | Measure-Object).Count
        @{ cold = $cold; coldSeconds = $coldSeconds; warm = $warm; warmSeconds = $watch.Elapsed.TotalSeconds } | ConvertTo-Json -Compress
        """;

    private const string ScriptBaseline = """
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $count = (Get-Content -LiteralPath $env:KG_RECORDING | ConvertFrom-Json | Measure-Object).Count
        @{ count = $count; seconds = $watch.Elapsed.TotalSeconds } | ConvertTo-Json -Compress
        """;

    public static IEnumerable<BenchmarkRow> Run(BenchmarkContext context, int events)
    {
        var path = Path.Combine(context.Scratch, "recording.jsonl");
        Write(path, events);
        var environment = new Dictionary<string, string> { ["KG_MODULE"] = context.ModulePath, ["KG_RECORDING"] = path };
        var module = context.PowerShell.RunJson(ModuleScript, environment);
        var script = context.PowerShell.RunJson(ScriptBaseline, environment);
        var plain = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            plain.Add(PlainLoop(path, events));
        }
        var moduleRate = module.GetProperty("warm").GetDouble() / module.GetProperty("warmSeconds").GetDouble();
        var coldRate = module.GetProperty("cold").GetDouble() / module.GetProperty("coldSeconds").GetDouble();
        var scriptRate = script.GetProperty("count").GetDouble() / script.GetProperty("seconds").GetDouble();
        var plainRate = Percentiles.Median(plain);
        File.Delete(path);
        yield return new BenchmarkRow($"Import a recording of {events:N0} events, vs Get-Content | ConvertFrom-Json",
            $"{coldRate:N0} ev/s", $"{scriptRate:N0} ev/s", $"{coldRate / scriptRate:0.0}x", ">= 10x", coldRate / scriptRate >= 10,
            $"first read in a fresh process; warm {moduleRate:N0} ev/s");
        yield return new BenchmarkRow($"Import a recording of {events:N0} events (warm), vs plain C# loop parsing each line (median of 3)",
            $"{moduleRate:N0} ev/s", $"{plainRate:N0} ev/s", $"{plainRate / moduleRate:0.0}x slower", "within 2x", plainRate / moduleRate <= 2,
            "the module also builds typed events and writes them to the pipeline");
    }

    private static double PlainLoop(string path, int events)
    {
        var stopwatch = Stopwatch.StartNew();
        long count = 0;
        using var reader = new StreamReader(path, Encoding.UTF8, false, 64 * 1024);
        while (reader.ReadLine() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("direction").GetString() != "out")
            {
                count++;
            }
        }
        stopwatch.Stop();
        if (count != events)
        {
            throw new InvalidOperationException($"The plain loop counted {count} events, not {events}.");
        }
        return count / stopwatch.Elapsed.TotalSeconds;
    }

    private static void Write(string path, int events)
    {
        var payload = Convert.ToBase64String(new byte[160]);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= events; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var frame = (i % 4) switch
            {
                0 => "{\"type\":\"transcript.final\",\"session_id\":\"sess_bench\",\"speaker\":\"caller\",\"text\":\"utterance " + id + " of the call\",\"utterance_id\":\"utt_" + id + "\",\"translation\":{\"text\":\"frase " + id + "\",\"language\":\"es\"}}",
                1 => "{\"type\":\"transcript.partial\",\"session_id\":\"sess_bench\",\"speaker\":\"caller\",\"text\":\"utterance " + id + "\",\"utterance_id\":\"utt_" + id + "\"}",
                _ => "{\"type\":\"audio.output\",\"session_id\":\"sess_bench\",\"utterance_id\":\"utt_" + id + "\",\"audio\":{\"encoding\":\"mulaw\",\"sample_rate_hz\":8000,\"payload\":\"" + payload + "\"}}",
            };
            writer.Write("{\"at\":\"" + at.AddMilliseconds(i * 20).ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\",\"direction\":\"in\",\"session\":\"sess_bench\",\"index\":" + id + ",\"frame\":" + frame + "}");
            writer.Write('\n');
        }
    }
}
