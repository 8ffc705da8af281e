using System.Net.Http.Json;
using System.Text.Json;
using Kallglot.Emulator;
using Kallglot.Security;
using Kallglot.Sessions;

namespace Kallglot.Tests.Infrastructure;

/// <summary>An emulator on a free loopback port for one test, a client for it, and its control endpoints; stopped on dispose.</summary>
internal sealed class EmulatorScope : IAsyncDisposable
{
    private static readonly HttpClient Control = new() { Timeout = TimeSpan.FromSeconds(30) };

    private EmulatorScope(EmulatorHost host)
    {
        Host = host;
        Client = NewClient(host.ApiKey);
    }

    public EmulatorHost Host { get; }

    public Uri BaseUri => Host.BaseUri;

    public KallglotClient Client { get; }

    public static async Task<EmulatorScope> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions { PaceAudioOutput = false };
        // build.ps1 sets a known key and token prefix, then searches all test output for them.
        if (Environment.GetEnvironmentVariable("KALLGLOT_EMULATOR_API_KEY") is { Length: > 0 } canaryKey)
        {
            options.ApiKeys = [canaryKey];
        }
        options.TokenPrefix = Environment.GetEnvironmentVariable("KALLGLOT_EMULATOR_TOKEN_PREFIX") ?? string.Empty;
        configure?.Invoke(options);
        return new EmulatorScope(await EmulatorHost.StartAsync(options));
    }

    /// <summary>A client whose sessions count their token expiry on <paramref name="clock"/>.</summary>
    public KallglotClient ClientOnClock(TimeProvider clock) => new(new KallglotClientOptions
    {
        BaseUri = Host.BaseUri,
        ApiKey = new KallglotSecret(Host.ApiKey),
        MaxRetries = 0,
        TimeProvider = clock,
    });

    public KallglotClient NewClient(string apiKey, int maxRetries = 0) => new(new KallglotClientOptions
    {
        BaseUri = Host.BaseUri,
        ApiKey = new KallglotSecret(apiKey),
        MaxRetries = maxRetries,
    });

    public Task<KallglotSession> CreateSessionAsync(string phoneNumber = "+14155550100") =>
        Client.CreateSessionAsync(CreateSessionRequest.ForPhoneNumber(phoneNumber));

    public async Task PostAsync(string path, object body)
    {
        using var response = await Control.PostAsJsonAsync(new Uri(BaseUri, path), body);
        response.EnsureSuccessStatusCode();
    }

    public async Task PostRawAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Control.PostAsync(new Uri(BaseUri, path), content);
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> SessionStatsAsync(string sessionId)
    {
        using var document = JsonDocument.Parse(await Control.GetStringAsync(new Uri(BaseUri, $"/_emulator/sessions/{sessionId}")));
        return document.RootElement.Clone();
    }

    /// <summary>Polls the emulator's view of a session until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForSessionAsync(string sessionId, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var stats = await SessionStatsAsync(sessionId);
            if (condition(stats))
            {
                return stats;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The emulator's session {sessionId} did not reach the expected state: {stats}");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
