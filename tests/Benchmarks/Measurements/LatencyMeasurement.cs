using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Time from the emulator writing an event (its emulator_sent_at_ticks stamp, the machine's monotonic
/// clock) to the event reaching the PowerShell pipeline, against a plain C# loop reading the same events.
/// </summary>
internal static class LatencyMeasurement
{
    // Two passes through the same pipeline: the first (500 events) is the cold start of a fresh
    // process, reported on its own; the second is the steady state the target is about.
    private const string ModuleScript = PlainWebSocket.ModuleScriptPrologue + """
        function Measure-Latency([int] $Count) {
            $stream = New-BenchmarkStream
            $null = Receive-KallglotStream $stream
            $latencies = [System.Collections.Generic.List[double]]::new()
            Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)_emulator/sessions/$($stream.SessionId)/flood" -ContentType 'application/json' -Body (@{ count = $Count; intervalMs = 2; end = $true } | ConvertTo-Json) | Out-Null
            Receive-KallglotStream $stream -Wait -Type 'transcript.*' | ForEach-Object {
                $arrived = [Diagnostics.Stopwatch]::GetTimestamp()
                $latencies.Add(($arrived - $_.Raw['emulator_sent_at_ticks']) * 1000.0 / [Diagnostics.Stopwatch]::Frequency)
            }
            , $latencies
        }
        $cold = Measure-Latency 500
        $steady = Measure-Latency ([int]$env:KG_COUNT)
        @{ cold = $cold; latencies = $steady } | ConvertTo-Json -Compress
        """;

    public static async Task<BenchmarkRow[]> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int events)
    {
        var baseline = await CSharpLoopAsync(emulator, events);
        var environment = context.ScriptEnvironment(emulator);
        environment["KG_COUNT"] = events.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = context.PowerShell.RunJson(ModuleScript, environment);
        var module = result.GetProperty("latencies").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var cold = result.GetProperty("cold").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var p99 = Percentiles.Of(module, 99);
        return
        [
            new BenchmarkRow($"Latency, emulator write to pipeline, steady state ({events:N0} events, 2 ms apart): p50 / p99",
                $"{Percentiles.Median(module):0.00} / {p99:0.00} ms", $"{Percentiles.Median(baseline):0.00} / {Percentiles.Of(baseline, 99):0.00} ms (plain C#)",
                $"+{p99 - Percentiles.Of(baseline, 99):0.00} ms at p99", "p99 < 5 ms", p99 < 5),
            new BenchmarkRow("Latency, cold start: the first 500 events of a fresh pwsh process: first / p99 / max",
                $"{cold[0]:0.0} / {Percentiles.Of(cold, 99):0.0} / {cold.Max():0.0} ms", "-", "-", "(reported, no target)", true,
                "JIT of the pipeline on first use"),
        ];
    }

    private static async Task<List<double>> CSharpLoopAsync(EmulatorProcess emulator, int events)
    {
        var (id, uri) = await emulator.CreateSessionPlainAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        var latencies = new List<double>();
        await emulator.PostAsync($"/_emulator/sessions/{id}/flood", new { count = events, intervalMs = 2, end = true });
        while (true)
        {
            var received = await PlainWebSocket.ReceiveMessageAsync(socket, buffer);
            var arrived = Stopwatch.GetTimestamp();
            using var document = JsonDocument.Parse(buffer.AsMemory(0, received));
            var type = document.RootElement.GetProperty("type").GetString();
            if (type == "session.ended")
            {
                return latencies;
            }
            if (type!.StartsWith("transcript.", StringComparison.Ordinal))
            {
                latencies.Add((arrived - document.RootElement.GetProperty("emulator_sent_at_ticks").GetInt64()) * 1000.0 / Stopwatch.Frequency);
            }
        }
    }
}
