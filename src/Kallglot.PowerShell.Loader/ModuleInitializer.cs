using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Kallglot.PowerShell.Loader;

/// <summary>
/// Runs when the manifest imports this nested module, before the cmdlet assembly is loaded: when
/// PowerShell's default context looks for the engine
/// (Kallglot.dll), it is given the one loaded in <see cref="EngineLoadContext"/>. Only the engine
/// crosses over; its own dependencies resolve inside the engine's context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private const string EngineName = "Kallglot";
    private static readonly string DependencyDirectory = Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");
    private static readonly Lazy<EngineLoadContext> EngineContext = new(() => new EngineLoadContext(DependencyDirectory));

    /// <inheritdoc />
    public void OnImport()
    {
        // Import-Module -Force imports again: the handler must be added once per process.
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName) =>
        assemblyName.Name == EngineName ? EngineContext.Value.LoadFromAssemblyName(assemblyName) : null;
}
