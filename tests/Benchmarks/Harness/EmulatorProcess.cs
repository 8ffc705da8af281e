using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Kallglot.Benchmarks.Harness;

/// <summary>The emulator in its own process, so the client's CPU and memory are measured alone.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Process _process;

    private EmulatorProcess(Process process, Uri baseUri, string apiKey)
    {
        _process = process;
        BaseUri = baseUri;
        ApiKey = apiKey;
    }

    public Uri BaseUri { get; }

    public string ApiKey { get; }

    public static EmulatorProcess Start(string emulatorDll, params string[] arguments)
    {
        var dotnet = Kallglot.PowerShell.Emulator.DotnetHostLocator.Find() ?? throw new InvalidOperationException("No dotnet host found to run the emulator.");
        var launched = Kallglot.PowerShell.Emulator.EmulatorLauncher.StartAsync(dotnet, emulatorDll, arguments, TimeSpan.FromMinutes(1), CancellationToken.None).GetAwaiter().GetResult();
        return new EmulatorProcess(launched.Process, launched.BaseUri, launched.ApiKey);
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri(BaseUri, path)));
        return document.RootElement.Clone();
    }

    public async Task PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(BaseUri, path), body);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Creates a session with plain HTTP, as a baseline that uses no module code would.</summary>
    public async Task<(string Id, Uri StreamUri)> CreateSessionPlainAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "/v1/sessions"))
        {
            Content = JsonContent.Create(new { routing = new { phone_number = "+14155550100" } }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (document.RootElement.GetProperty("id").GetString()!, new Uri(document.RootElement.GetProperty("websocket_url").GetString()!));
    }

    public async Task WaitForSessionAsync(string id, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(await GetAsync($"/_emulator/sessions/{id}")))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Session {id} did not reach the expected state.");
            }
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
