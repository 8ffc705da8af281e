using System.Net;
using Kallglot.Emulator.Control;
using Kallglot.Emulator.Sessions;
using Kallglot.Emulator.Streaming;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Kallglot.Emulator;

/// <summary>A running emulator on 127.0.0.1: start it in process (tests) or through Program (the module's Start-KallglotEmulator).</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, EmulatorState state, Uri baseUri)
    {
        _app = app;
        State = state;
        BaseUri = baseUri;
    }

    /// <summary>The emulator's endpoint, such as http://127.0.0.1:54321.</summary>
    public Uri BaseUri { get; }

    /// <summary>The first key the emulator accepts.</summary>
    public string ApiKey => State.Options.ApiKeys[0];

    /// <summary>What the emulator remembers; tests may inspect it.</summary>
    public EmulatorState State { get; }

    /// <summary>Starts an emulator with <paramref name="options"/> (a free port when Port is 0).</summary>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }
        var app = builder.Build();
        app.Use(Transport.PausableUpgradeFeature.InstallAsync);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

        var state = new EmulatorState(options);
        SessionEndpoints.Map(app, state);
        StreamEndpoint.Map(app, state);
        ControlEndpoints.Map(app, state);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorHost(app, state, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Stops the server and every stream it holds.</summary>
    public async Task StopAsync()
    {
        await Task.Delay(State.Options.ShutdownDelay).ConfigureAwait(false);
        foreach (var session in State.Sessions.Values)
        {
            session.Connection?.Abort();
        }
        await _app.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
