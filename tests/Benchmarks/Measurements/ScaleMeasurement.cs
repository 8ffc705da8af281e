using System.Globalization;
using System.Text.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// N concurrent paced streams in one pwsh process, as a user runs them: Send-KallglotAudio
/// -Background on each (speech, so transcripts and translated audio come back) and one
/// Receive-KallglotStream -Wait following every stream until the emulator, in its own process,
/// ends each session 10 s after its audio. Against a plain C# loop doing the same paced work in the
/// same run. Events lost: the emulator's count of events sent against the events received. The CPU
/// row's note gives the thread-pool work items per event on both sides and, on Linux, pwsh's CPU by
/// thread.
/// </summary>
internal static class ScaleMeasurement
{
    private const string ModuleScript = PlainWebSocket.ModuleScriptPrologue + """
        # Each thread's name and CPU seconds (Linux), keyed by id and start time (a new thread that reuses an ended one's id stays
        # apart): the runtime names its threads, so the pool, the JIT, the pacer and the pipeline show apart.
        function Get-ThreadCpu {
            $byThread = @{}
            foreach ($task in Get-ChildItem /proc/self/task -ErrorAction SilentlyContinue) {
                $stat = Get-Content "$($task.FullName)/stat" -Raw -ErrorAction SilentlyContinue
                if (-not $stat) { continue }
                $name = $stat.Substring($stat.IndexOf('(') + 1, $stat.LastIndexOf(')') - $stat.IndexOf('(') - 1)
                $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
                # A numbered family (".NET TP Worker 3") counts as one name.
                $byThread["$($task.Name) $($fields[19])"] = [pscustomobject]@{ Name = ($name -replace '\d+$', '').Trim(); Cpu = ([long]$fields[11] + [long]$fields[12]) / 100.0 }
            }
            $byThread
        }
        # The first paced streams of a fresh pwsh run its send and receive paths through the JIT: warmed apart, not counted.
        $warm = @(1..2 | ForEach-Object { New-BenchmarkStream })
        $null = $warm | Send-KallglotAudio -Path $env:KG_WARMUP -Encoding MuLaw -Background
        $warm.BackgroundSends | ForEach-Object { $null = $_.Completion.GetAwaiter().GetResult() }
        $null = Receive-KallglotStream -Stream $warm
        $warm | Disconnect-KallglotStream
        # Once before the measured run too, so that compiling the look itself is not in it.
        $null = Get-ThreadCpu
        $process = [Diagnostics.Process]::GetCurrentProcess()
        [GC]::Collect()
        $process.Refresh()
        $workingSetBefore = $process.WorkingSet64
        $streams = @(1..[int]$env:KG_STREAMS | ForEach-Object { New-BenchmarkStream })
        # Looked at before the CPU count starts and after it ends, so that the look is not in the row's figure.
        $threadsBefore = Get-ThreadCpu
        $process.Refresh()
        $cpuBefore = $process.TotalProcessorTime
        # The process's pacer is internal to the module: read by reflection, for the benchmark only.
        $pacerType = [Kallglot.Pacing.PacingDeviation].Assembly.GetType('Kallglot.Pacing.FramePacer')
        $pacer = $pacerType.GetProperty('Shared', [Reflection.BindingFlags]'Public,Static').GetValue($null)
        $realTimeLeftBefore = $pacerType.GetProperty('RealTimeLeft').GetValue($pacer)
        $collectionsBefore = [GC]::CollectionCount(0)
        $pausedBefore = [GC]::GetTotalPauseDuration()
        $allocatedBefore = [GC]::GetTotalAllocatedBytes($false)
        $statBefore = if (Test-Path /proc/stat) { Get-Content /proc/stat -TotalCount 1 }
        $workItemsBefore = [Threading.ThreadPool]::CompletedWorkItemCount
        $null = $streams | Send-KallglotAudio -Path $env:KG_AUDIO -Encoding MuLaw -Background
        $received = (Receive-KallglotStream -Stream $streams -Wait -TimeoutSec 900 -ErrorVariable failures -ErrorAction SilentlyContinue | Measure-Object).Count
        $statAfter = if (Test-Path /proc/stat) { Get-Content /proc/stat -TotalCount 1 }
        $workItems = [Threading.ThreadPool]::CompletedWorkItemCount - $workItemsBefore
        $process.Refresh()
        $cpu = ($process.TotalProcessorTime - $cpuBefore).TotalSeconds
        $threadsAfter = Get-ThreadCpu
        # Threads that ended meanwhile are missing from the second look: the groups may sum to less than the process.
        $byName = @($threadsAfter.Keys | ForEach-Object {
                [pscustomobject]@{ Name = $threadsAfter[$_].Name; Cpu = $threadsAfter[$_].Cpu - ($threadsBefore[$_].Cpu ?? 0) } } |
            Group-Object Name | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Cpu = ($_.Group | Measure-Object Cpu -Sum).Sum } } | Sort-Object Cpu -Descending)
        # Without /proc (macOS, Windows) nothing is seen: 0, and no threads named.
        $threadsSeen = [double]($byName | Measure-Object Cpu -Sum).Sum
        $threads = ($byName | Select-Object -First 5 | ForEach-Object { [string]::Format([cultureinfo]::InvariantCulture, '{0} {1:0.00}', $_.Name, $_.Cpu) }) -join ', '
        $collections = [GC]::CollectionCount(0) - $collectionsBefore
        $realTimeLeft = $pacerType.GetProperty('RealTimeLeft').GetValue($pacer) - $realTimeLeftBefore
        $pacerPriority = [string]$pacerType.GetProperty('Priority').GetValue($pacer)
        $pausedMs = ([GC]::GetTotalPauseDuration() - $pausedBefore).TotalMilliseconds
        $allocated = [GC]::GetTotalAllocatedBytes($false) - $allocatedBefore
        $sends = @($streams.BackgroundSends | ForEach-Object { $_.Completion.GetAwaiter().GetResult() })
        $pacing = [Kallglot.Pacing.PacingDeviation]::Combine([Kallglot.Pacing.PacingDeviation[]]@($sends.Pacing))
        @{
            received = $received + $failures.Count; cpu = $cpu; peak = $process.PeakWorkingSet64; before = $workingSetBefore
            p99 = $pacing.P99.TotalMilliseconds; max = $pacing.Max.TotalMilliseconds; frames = $pacing.Frames; sessions = @($streams.SessionId)
            statBefore = $statBefore; statAfter = $statAfter; collections = $collections; pausedMs = $pausedMs; allocated = $allocated
            realTimeLeft = $realTimeLeft; pacerPriority = $pacerPriority; workItems = $workItems; threads = $threads; threadsSeen = $threadsSeen
        } | ConvertTo-Json -Compress
        """;

    public static async Task<(BenchmarkRow[] Rows, ScalePoint Module, ScalePoint Plain)> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int streams, TimeSpan audio)
    {
        var path = await SpeechBursts.WriteAsync(context.Scratch, audio);
        var environment = context.ScriptEnvironment(emulator);
        environment["KG_STREAMS"] = streams.ToString(CultureInfo.InvariantCulture);
        environment["KG_AUDIO"] = path;
        environment["KG_WARMUP"] = await SpeechBursts.WriteAsync(context.Scratch, TimeSpan.FromSeconds(3));
        var result = context.PowerShell.RunJson(ModuleScript, environment);
        long sent = 0;
        foreach (var session in result.GetProperty("sessions").EnumerateArray())
        {
            sent += (await emulator.GetAsync($"/_emulator/sessions/{session.GetString()}")).GetProperty("eventsSent").GetInt64();
        }
        var streamMinutes = streams * audio.TotalMinutes;
        var module = new ScalePoint(streams,
            CpuPerStreamMinute: result.GetProperty("cpu").GetDouble() / streamMinutes,
            WorkingSetPerStreamMb: (result.GetProperty("peak").GetInt64() - result.GetProperty("before").GetInt64()) / 1024.0 / 1024.0 / streams,
            PeakWorkingSetMb: result.GetProperty("peak").GetInt64() / 1024.0 / 1024.0,
            PacingP99Ms: result.GetProperty("p99").GetDouble(),
            EventsLost: sent - result.GetProperty("received").GetInt64(),
            EventsSent: sent,
            MachineBusy: MachineCpu.BusyBetween(result.GetProperty("statBefore").GetString(), result.GetProperty("statAfter").GetString()),
            PoolWorkItemsPerEvent: result.GetProperty("workItems").GetInt64() / (double)Math.Max(1, result.GetProperty("received").GetInt64()));
        var plain = await PlainScaleLoop.RunAsync(emulator, path, streams);
        plain = plain with { CpuPerStreamMinute = plain.CpuPerStreamMinute / streamMinutes };

        var ratio = module.CpuPerStreamMinute / plain.CpuPerStreamMinute;
        var label = $"Scale, {streams} paced streams x {audio.TotalSeconds:0} s in one pwsh";
        BenchmarkRow[] rows =
        [
            new BenchmarkRow($"{label}: CPU per stream-minute, vs plain C# loop", $"{module.CpuPerStreamMinute:0.000} CPU-s", $"{plain.CpuPerStreamMinute:0.000} CPU-s", $"{ratio:0.00}x", "within 1.5x", ratio <= 1.5,
                $"machine CPU busy (client, emulator and all) {module.MachineBusy:P0} while the module streamed, {plain.MachineBusy:P0} while the C# loop did; " +
                // Each work item may wake a pool thread that spins before it sleeps again: on few streams, that spinning is most of the pool's CPU.
                $"thread-pool work items per event received {module.PoolWorkItemsPerEvent:0.00}, plain C# loop {plain.PoolWorkItemsPerEvent:0.00} (not like for like: its count holds a timer's continuation for each frame it sends); " +
                $"pwsh's CPU-s by thread (those alive at the end, {result.GetProperty("threadsSeen").GetDouble():0.0} of {result.GetProperty("cpu").GetDouble():0.0}): {result.GetProperty("threads").GetString()}"),
            new BenchmarkRow($"{label}: working set per stream (peak, above the process before its streams were created)", $"{module.WorkingSetPerStreamMb:0.00} MB", $"{plain.WorkingSetPerStreamMb:0.00} MB (plain C#)", $"{module.WorkingSetPerStreamMb / plain.WorkingSetPerStreamMb:0.0}x", "(reported)", true,
                $"pwsh peak {module.PeakWorkingSetMb:0} MB in all"),
            new BenchmarkRow($"{label}: pacing deviation p99 over {result.GetProperty("frames").GetInt64():N0} frames", $"{module.PacingP99Ms:0.00} ms (max {result.GetProperty("max").GetDouble():0.00})",
                $"{plain.PacingP99Ms:0.00} ms (plain C#, Task.Delay)", $"{module.PacingP99Ms / plain.PacingP99Ms:P0}", streams <= 100 ? "<= 1 ms" : "<= 2 ms", module.PacingP99Ms <= (streams <= 100 ? 1 : 2),
                // Every collection pauses the pacer's thread with the rest of pwsh: the share of the tail that PowerShell's own allocations bring.
                $"pacer thread at {result.GetProperty("pacerPriority").GetString()}, left real time for late frames {result.GetProperty("realTimeLeft").GetInt64():N0} times; " +
                $"pwsh while streaming: {result.GetProperty("collections").GetInt64():N0} collections, paused {result.GetProperty("pausedMs").GetDouble():N0} ms in all; allocated {result.GetProperty("allocated").GetInt64() / 1048576.0:N0} MB, {result.GetProperty("allocated").GetInt64() / 1024.0 / (streams * audio.TotalSeconds):N1} KB per stream-second"),
            new BenchmarkRow($"{label}: events lost", $"{module.EventsLost} of {sent:N0}", $"{plain.EventsLost} of {plain.EventsSent:N0} (plain C#)", module.EventsLost == 0 ? "-" : "LOST", "0", module.EventsLost == 0),
        ];
        return (rows, module, plain);
    }
}
