using Microsoft.AspNetCore.Http.Features;

namespace Kallglot.Emulator.Transport;

/// <summary>
/// Stands in for the server's upgrade feature so that every upgraded connection runs over a
/// <see cref="PausableStream"/>, found again through <see cref="StreamOf"/>.
/// </summary>
internal sealed class PausableUpgradeFeature : IHttpUpgradeFeature
{
    private const string ItemKey = "kallglot.pausable-stream";
    private readonly IHttpUpgradeFeature _inner;
    private readonly HttpContext _context;

    private PausableUpgradeFeature(IHttpUpgradeFeature inner, HttpContext context)
    {
        _inner = inner;
        _context = context;
    }

    public bool IsUpgradableRequest => _inner.IsUpgradableRequest;

    /// <summary>Middleware, before UseWebSockets: upgrades of this request go through a pausable stream.</summary>
    public static async Task InstallAsync(HttpContext context, Func<Task> next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new PausableUpgradeFeature(upgrade, context));
        }
        await next().ConfigureAwait(false);
    }

    /// <summary>The pausable stream under this request's WebSocket, once upgraded.</summary>
    public static PausableStream? StreamOf(HttpContext context) => context.Items[ItemKey] as PausableStream;

    public async Task<Stream> UpgradeAsync()
    {
        var stream = new PausableStream(await _inner.UpgradeAsync().ConfigureAwait(false));
        _context.Items[ItemKey] = stream;
        return stream;
    }
}
