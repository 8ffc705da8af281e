using System.Globalization;
using System.Text.Json;
using Kallglot.Emulator;

// The emulator as a process: Start-KallglotEmulator runs it and reads the one JSON line it prints.
// It stops when its standard input closes (the parent went away) or on SIGTERM / Ctrl+C.
var options = new EmulatorOptions();
var keys = new List<string>();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--port": options.Port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--api-key": keys.Add(Next()); break;
            case "--credits": options.InitialCredits = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--token-ttl-seconds": options.TokenTimeToLive = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
            case "--response-shape": options.ResponseShape = Enum.Parse<ResponseShape>(Next(), ignoreCase: true); break;
            case "--error-shape": options.ErrorShape = Enum.Parse<ErrorShape>(Next(), ignoreCase: true); break;
            case "--idle-timeout-seconds": options.IdleTimeout = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
            case "--script": options.Script = JsonSerializer.Deserialize<List<ScriptedUtterance>>(File.ReadAllText(Next()), new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? []; break;
            case "--no-audio-pacing": options.PaceAudioOutput = false; break;
            case "--token-prefix": options.TokenPrefix = Next(); break;
            case "--seed": options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--log": options.LogToConsole = true; break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }
}
catch (Exception exception) when (exception is ArgumentException or FormatException or IOException or JsonException or OverflowException)
{
    Console.Error.WriteLine($"Kallglot emulator: {exception.Message}");
    return 2;
}
// Test runs set these so that every emulator they start uses a known key and token prefix, which
// the build then searches all test output for: a leak check that covers every test at once.
if (keys.Count == 0 && Environment.GetEnvironmentVariable("KALLGLOT_EMULATOR_API_KEY") is { Length: > 0 } canaryKey)
{
    keys.Add(canaryKey);
}
if (options.TokenPrefix.Length == 0 && Environment.GetEnvironmentVariable("KALLGLOT_EMULATOR_TOKEN_PREFIX") is { Length: > 0 } canaryPrefix)
{
    options.TokenPrefix = canaryPrefix;
}
if (keys.Count > 0)
{
    options.ApiKeys = keys;
}

await using var host = await EmulatorHost.StartAsync(options);
Console.Out.WriteLine(JsonSerializer.Serialize(new { baseUri = host.BaseUri.ToString().TrimEnd('/'), apiKey = host.ApiKey, pid = Environment.ProcessId }));
Console.Out.Flush();

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, eventArgs) =>
{
    eventArgs.Cancel = true;
    stopping.Cancel();
};
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});
var stdinClosed = Task.Run(async () =>
{
    using var input = Console.OpenStandardInput();
    var buffer = new byte[256];
    while (await input.ReadAsync(buffer, stopping.Token) > 0)
    {
    }
});
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default));
return 0;
