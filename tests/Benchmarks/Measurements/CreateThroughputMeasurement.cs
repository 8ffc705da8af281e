using System.Diagnostics;
using System.Net.Http.Json;
using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Sessions created per second from pipeline input: New-KallglotSession -ThrottleLimit 16 over 1,000 rows
/// against a plain C# HttpClient loop with 16 creates in flight, in the same run (median of 3 alternating runs).
/// </summary>
internal static class CreateThroughputMeasurement
{
    private const string ModuleScript = PlainWebSocket.ModuleScriptPrologue + """
        Connect-Kallglot -BaseUri $env:KG_BASE -ApiKey $key -NoLedger
        $rows = 1..[int]$env:KG_COUNT | ForEach-Object { [pscustomobject]@{ PhoneNumber = '+1415{0:d7}' -f $_ } }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $created = @($rows | New-KallglotSession -ThrottleLimit ([int]$env:KG_THROTTLE)).Count
        $cold = $watch.Elapsed.TotalSeconds
        # The same again in the same process: the code is compiled and warm, as it is for most of a long job.
        $watch.Restart()
        $warmCreated = @($rows | New-KallglotSession -ThrottleLimit ([int]$env:KG_THROTTLE)).Count
        $warm = $watch.Elapsed.TotalSeconds
        @{ created = $created; seconds = $cold; warmCreated = $warmCreated; warmSeconds = $warm } | ConvertTo-Json -Compress
        """;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });

    public static async Task<BenchmarkRow> RunAsync(BenchmarkContext context, EmulatorProcess emulator, int sessions, int concurrency)
    {
        var environment = context.ScriptEnvironment(emulator);
        environment["KG_COUNT"] = sessions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["KG_THROTTLE"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var moduleRates = new List<double>();
        var coldRates = new List<double>();
        var baselineRates = new List<double>();
        // A warm-up of the baseline's own process first, as the module's warm figure has had.
        await PlainLoopAsync(emulator, sessions, concurrency);
        for (var run = 0; run < 3; run++)
        {
            baselineRates.Add(await PlainLoopAsync(emulator, sessions, concurrency));
            var module = context.PowerShell.RunJson(ModuleScript, environment);
            coldRates.Add(module.GetProperty("created").GetDouble() / module.GetProperty("seconds").GetDouble());
            moduleRates.Add(module.GetProperty("warmCreated").GetDouble() / module.GetProperty("warmSeconds").GetDouble());
        }
        var moduleRate = Percentiles.Median(moduleRates);
        var baselineRate = Percentiles.Median(baselineRates);
        string List(IEnumerable<double> rates) => string.Join(", ", rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        return new BenchmarkRow($"Create {sessions:N0} sessions, {concurrency} at once (New-KallglotSession -ThrottleLimit {concurrency}, warm), vs plain C# HttpClient loop (median of 3)",
            $"{moduleRate:N0} sessions/s", $"{baselineRate:N0} sessions/s", $"{moduleRate / baselineRate:P0}", ">= 80%", moduleRate / baselineRate >= 0.8,
            $"runs: module warm {List(moduleRates)}, cold first batch of a fresh process {List(coldRates)}; C# {List(baselineRates)}; the module's figure includes binding the rows and writing the sessions to the pipeline");
    }

    private static async Task<double> PlainLoopAsync(EmulatorProcess emulator, int sessions, int concurrency)
    {
        using var throttle = new SemaphoreSlim(concurrency);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(async i =>
        {
            await throttle.WaitAsync();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseUri, "/v1/sessions"))
                {
                    Content = JsonContent.Create(new { routing = new { phone_number = $"+1415{i:d7}" } }),
                };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", emulator.ApiKey);
                using var response = await Http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsStringAsync();
            }
            finally
            {
                throttle.Release();
            }
        }));
        stopwatch.Stop();
        return sessions / stopwatch.Elapsed.TotalSeconds;
    }
}
