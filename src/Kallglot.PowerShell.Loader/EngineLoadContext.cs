using System.Reflection;
using System.Runtime.Loader;

namespace Kallglot.PowerShell.Loader;

/// <summary>
/// The load context of the module's engine (Kallglot.dll) and everything it depends on
/// (Websocket.Client, System.Reactive, Microsoft.Extensions.Logging.Abstractions, NAudio.Core...).
/// Kept apart from PowerShell's default context, so that another module that already loaded other
/// versions of those assemblies neither breaks this one nor is broken by it.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;

    public EngineLoadContext(string dependencyDirectory)
        : base("Kallglot", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_dependencyDirectory, $"{assemblyName.Name}.dll");
        // Anything not shipped in the dependency folder (the framework itself) comes from the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
