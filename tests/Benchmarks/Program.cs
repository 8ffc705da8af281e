using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Running;
using Kallglot.Benchmarks.Harness;
using Kallglot.Benchmarks.Measurements;
using Kallglot.Benchmarks.Micro;

// build.ps1 -Task Bench runs this with the built module; --micro runs the BenchmarkDotNet micro-benchmarks instead.
if (args.Contains("--micro"))
{
    BenchmarkRunner.Run<HotPathBenchmarks>();
    return 0;
}

string Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required.");
var context = new BenchmarkContext(Path.GetFullPath(Argument("--module")), Path.GetFullPath(Argument("--pwsh")),
    Directory.CreateTempSubdirectory("kallglot-bench-").FullName);
var outPath = Path.GetFullPath(Argument("--out"));
var rows = new List<BenchmarkRow>();
var started = DateTime.UtcNow;
// --allocations prints what each pacing run allocated, by type.
using var allocations = args.Contains("--allocations") ? new AllocationSampler() : null;

void Report(string what) => Console.WriteLine($"[{DateTime.UtcNow - started:mm\\:ss}] {what}");
// --only <name> runs one measurement (import, recording, receive, latency, send, create, pacing, scale): for working on it.
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
// --pacing-seconds shortens the pacing and scale runs while working on them (the table's figures are 60 s); --pacing-streams N runs only N streams in both (any N for pacing, to find where the cores saturate).
var pacingAudio = TimeSpan.FromSeconds(int.Parse(args.SkipWhile(a => a != "--pacing-seconds").Skip(1).FirstOrDefault() ?? "60", CultureInfo.InvariantCulture));
// --pacing-background sends the module's pacing run and its warm-up through the stream's background send, the call
// Send-KallglotAudio -Background makes (a linked cancellation token and a progress report); its late frames are then not attributed.
var pacingBackground = args.Contains("--pacing-background");
bool Want(string name) => only is null || string.Equals(only, name, StringComparison.OrdinalIgnoreCase);

try
{
    if (Want("import"))
    {
        Report("import");
        rows.AddRange(ImportMeasurement.Run(context));
    }
    if (Want("recording"))
    {
        Report("recording import");
        rows.AddRange(RecordingImportMeasurement.Run(context, events: 200_000));
    }

    using (var emulator = EmulatorProcess.Start(context.EmulatorDll, "--credits", "100000"))
    {
        if (Want("receive"))
        {
            Report("receive throughput");
            rows.AddRange(await ReceiveThroughputMeasurement.RunAsync(context, emulator, events: 200_000, plainEvents: 200_000));
        }
        if (Want("latency"))
        {
            Report("latency");
            rows.AddRange(await LatencyMeasurement.RunAsync(context, emulator, events: 2_000));
        }
        if (Want("send"))
        {
            Report("send throughput");
            rows.Add(await SendThroughputMeasurement.RunAsync(context, emulator, TimeSpan.FromHours(1)));
        }
        if (Want("create"))
        {
            Report("create throughput");
            rows.Add(await CreateThroughputMeasurement.RunAsync(context, emulator, sessions: 1_000, concurrency: 16));
        }
        if (Want("pacing"))
        {
            Report("pacing");
            var pacingStreams = args.SkipWhile(a => a != "--pacing-streams").Skip(1).FirstOrDefault();
            if (pacingStreams is null)
            {
                Report("pacing floor of the machine");
                rows.Add(PacingFloorMeasurement.Run(pacingAudio));
            }
            // The issue's targets: p99 1 ms and max 3 ms up to 100 streams, p99 2 ms beyond; any other count is measured against the same.
            (int Streams, double P99, double? Max) Targets(int streams) => streams <= 100 ? (streams, 1, 3) : (streams, 2, null);
            var pacingCounts = pacingStreams is null ? new[] { 1, 100, 500 } : [int.Parse(pacingStreams, CultureInfo.InvariantCulture)];
            foreach (var (streams, p99, max) in pacingCounts.Select(Targets))
            {
                Report($"pacing, {streams} streams");
                rows.AddRange(await PacingMeasurement.RunAsync(context, emulator, streams, pacingAudio, p99, max, pacingBackground));
            }
        }
    }
    // Sessions end on their own 10 s after their audio, as calls hang up: one receive follows them all to the end. (Not
    // sooner: connecting 500 streams one after another takes seconds, and a session idle before its audio starts would end.)
    using (var emulator = EmulatorProcess.Start(context.EmulatorDll, "--credits", "100000", "--idle-timeout-seconds", "10"))
    {
        if (Want("scale"))
        {
            var module = new List<ScalePoint>();
            var plain = new List<ScalePoint>();
            var scaleStreams = args.SkipWhile(a => a != "--pacing-streams").Skip(1).FirstOrDefault();
            foreach (var streams in new[] { 10, 100, 500 }.Where(n => scaleStreams is null || n.ToString(CultureInfo.InvariantCulture) == scaleStreams))
            {
                Report($"scale, {streams} streams");
                var (scaleRows, modulePoint, plainPoint) = await ScaleMeasurement.RunAsync(context, emulator, streams, pacingAudio);
                rows.AddRange(scaleRows);
                module.Add(modulePoint);
                plain.Add(plainPoint);
            }
            var plotPath = Path.ChangeExtension(outPath, null) + "-scale.png";
            ScalePlot.Save(plotPath, module, plain);
            Report($"plot: {plotPath}");
        }
    }
}
finally
{
    Directory.Delete(context.Scratch, recursive: true);
}

var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"Kallglot module benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(DateTime.UtcNow - started).TotalMinutes:0.0} min");
table.AppendLine();
table.AppendLine("| Measurement | Module | Baseline (same run) | Ratio | Target | Met | Notes |");
table.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
foreach (var row in rows)
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Measurement} | {row.Module} | {row.Baseline} | {row.Ratio} | {row.Target} | {(row.Met ? "yes" : "NO")} | {row.Notes} |");
}
Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
File.WriteAllText(outPath, table.ToString());
Console.WriteLine();
Console.WriteLine(table);
return 0;
