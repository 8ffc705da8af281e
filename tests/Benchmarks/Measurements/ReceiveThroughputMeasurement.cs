using System.Globalization;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Events per second from a flood of mixed transcript events: the module's Receive-KallglotStream
/// -Wait | Measure-Object, against a plain C# ClientWebSocket + System.Text.Json loop (the limit) and
/// a plain PowerShell ClientWebSocket + ConvertFrom-Json script (what an admin writes today). The same plain C# loop
/// run as a cmdlet in its own pwsh, writing each message to the pipeline, is the plain loop plus PowerShell's pipeline: the
/// module is compared with it too, so that what the module costs is told apart from what the pipeline costs.
/// </summary>
internal static class ReceiveThroughputMeasurement
{
    // Eight floods in one process: the first is the cold start a fresh pwsh pays; the rate keeps rising
    // until about the fourth (tiered compilation), so the best of the other seven is the warm one.
    private const int Runs = 8;

    // -Wait returns once the stream is over: its time holds the closing handshake after session.ended, a loopback round trip (well
    // under 1 % of a run), which the plain loops, stopping at session.ended, do not wait for. The bias is against the module.
    private const string ModuleScript = PlainWebSocket.ModuleScriptPrologue + """
        $runs = foreach ($run in 1..[int]$env:KG_RUNS) {
            $stream = New-BenchmarkStream
            $null = Receive-KallglotStream $stream
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)_emulator/sessions/$($stream.SessionId)/flood" -ContentType 'application/json' -Body (@{ count = [int]$env:KG_COUNT; end = $true } | ConvertTo-Json) | Out-Null
            $count = (Receive-KallglotStream $stream -Wait | Measure-Object).Count
            $watch.Stop()
            $count / $watch.Elapsed.TotalSeconds
        }
        @{ count = [int]$env:KG_COUNT; rates = @($runs) } | ConvertTo-Json -Compress
        """;

    // The watch starts once the socket is open, as the module's does (its stream is connected before the watch).
    private const string PlainLoopCmdletScript = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:KG_BASELINES
        $watch = [Diagnostics.Stopwatch]::new()
        $runs = foreach ($run in 1..[int]$env:KG_RUNS) {
            $session = Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)v1/sessions" -Headers @{ Authorization = "Bearer $($env:KG_KEY)" } -ContentType 'application/json' -Body '{"routing":{"phone_number":"+14155550100"}}'
            $flood = {
                $watch.Restart()
                Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)_emulator/sessions/$($session.id)/flood" -ContentType 'application/json' -Body (@{ count = [int]$env:KG_COUNT; end = $true } | ConvertTo-Json) | Out-Null
            }
            $count = (Receive-PlainLoop -Uri $session.websocket_url -OnConnected $flood | Measure-Object).Count
            $watch.Stop()
            $count / $watch.Elapsed.TotalSeconds
        }
        @{ rates = @($runs) } | ConvertTo-Json -Compress
        """;

    private const string PlainScript = """
        $ErrorActionPreference = 'Stop'
        $session = Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)v1/sessions" -Headers @{ Authorization = "Bearer $($env:KG_KEY)" } -ContentType 'application/json' -Body '{"routing":{"phone_number":"+14155550100"}}'
        $socket = [System.Net.WebSockets.ClientWebSocket]::new()
        $socket.ConnectAsync([Uri]$session.websocket_url, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $buffer = [byte[]]::new(65536)
        $segment = [ArraySegment[byte]]::new($buffer)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Invoke-RestMethod -Method Post -Uri "$($env:KG_BASE)_emulator/sessions/$($session.id)/flood" -ContentType 'application/json' -Body (@{ count = [int]$env:KG_COUNT; end = $true } | ConvertTo-Json) | Out-Null
        $count = 0
        while ($true) {
            $result = $socket.ReceiveAsync($segment, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            $event = [Text.Encoding]::UTF8.GetString($buffer, 0, $result.Count) | ConvertFrom-Json
            $count++
            if ($event.type -eq 'session.ended') { break }
        }
        $watch.Stop()
        @{ count = $count; seconds = $watch.Elapsed.TotalSeconds } | ConvertTo-Json -Compress
        """;

    public static async Task<BenchmarkRow[]> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int events, int plainEvents)
    {
        var limits = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            limits.Add(await CSharpLoopAsync(emulator, events));
        }
        var environment = With(context.ScriptEnvironment(emulator), events);
        environment["KG_RUNS"] = Runs.ToString(CultureInfo.InvariantCulture);
        var runs = context.PowerShell.RunJson(ModuleScript, environment)
            .GetProperty("rates").EnumerateArray().Select(rate => rate.GetDouble()).ToArray();
        var cmdletEnvironment = With(context.ScriptEnvironment(emulator), events);
        cmdletEnvironment["KG_RUNS"] = Runs.ToString(CultureInfo.InvariantCulture);
        cmdletEnvironment["KG_BASELINES"] = Path.Combine(AppContext.BaseDirectory, "Kallglot.Benchmarks.Baselines.dll");
        var cmdletRuns = context.PowerShell.RunJson(PlainLoopCmdletScript, cmdletEnvironment)
            .GetProperty("rates").EnumerateArray().Select(rate => rate.GetDouble()).ToArray();
        var plain = Rate(context.PowerShell.RunJson(PlainScript, With(context.ScriptEnvironment(emulator), plainEvents)));
        var cold = runs[0];
        var limit = limits[0];
        // Warm against warm: the best of the later runs on each side.
        var warm = runs.Skip(1).Max();
        var warmLimit = limits.Skip(1).Max();
        var warmCmdlet = cmdletRuns.Skip(1).Max();
        var notes = $"runs: module {Rates(runs)}; C# {Rates(limits)} ev/s";
        var cmdletNotes = $"the plain loop itself, through the pipeline, reached {warmCmdlet / warmLimit:P0} of the plain loop outside PowerShell; runs: module {Rates(runs)}; plain loop as a cmdlet {Rates(cmdletRuns)} ev/s";
        return
        [
            new BenchmarkRow($"Receive {events:N0} events, first run in a fresh pwsh process, vs plain C# loop (the limit, its first run)", $"{cold:N0} ev/s", $"{limit:N0} ev/s", $"{cold / limit:P0}", ">= 50%", cold / limit >= 0.5, "tier-0 JIT and a growing heap under the backlog"),
            new BenchmarkRow($"Receive {events:N0} events, warm (best of runs 2-{Runs} in one pwsh process), vs plain C# loop (best of its runs 2-{Runs})", $"{warm:N0} ev/s", $"{warmLimit:N0} ev/s", $"{warm / warmLimit:P0}", ">= 80%", warm / warmLimit >= 0.8, notes),
            new BenchmarkRow($"Receive {events:N0} events, warm, vs the same plain C# loop run as a cmdlet in its own pwsh, writing each event to the pipeline (best of runs 2-{Runs} each): the plain loop plus PowerShell's pipeline", $"{warm:N0} ev/s", $"{warmCmdlet:N0} ev/s", $"{warm / warmCmdlet:P0}", ">= 80% (the row above's target, against this reference)", warm / warmCmdlet >= 0.8, cmdletNotes),
            new BenchmarkRow($"Receive, first run vs plain PowerShell + ConvertFrom-Json ({plainEvents:N0} events)", $"{cold:N0} ev/s", $"{plain:N0} ev/s", $"{cold / plain:0.0}x", ">= 10x", cold / plain >= 10),
        ];
    }

    private static Dictionary<string, string> With(Dictionary<string, string> environment, int count)
    {
        environment["KG_COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return environment;
    }

    private static string Rates(IEnumerable<double> rates) => string.Join(", ", rates.Select(rate => rate.ToString("N0", CultureInfo.InvariantCulture)));

    private static double Rate(JsonElement result) => result.GetProperty("count").GetDouble() / result.GetProperty("seconds").GetDouble();

    private static async Task<double> CSharpLoopAsync(EmulatorProcess emulator, int events)
    {
        var (id, uri) = await emulator.CreateSessionPlainAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        var stopwatch = Stopwatch.StartNew();
        await emulator.PostAsync($"/_emulator/sessions/{id}/flood", new { count = events, end = true });
        var count = 0;
        while (true)
        {
            var received = await PlainWebSocket.ReceiveMessageAsync(socket, buffer);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, received));
            count++;
            if (document.RootElement.GetProperty("type").GetString() == "session.ended")
            {
                break;
            }
        }
        stopwatch.Stop();
        return count / stopwatch.Elapsed.TotalSeconds;
    }
}
