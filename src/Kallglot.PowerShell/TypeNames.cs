using System.Management.Automation;
using System.Reflection;

namespace Kallglot.PowerShell;

/// <summary>
/// Makes the engine's public types resolvable by name in scripts ([Kallglot.Sessions.KallglotSession],
/// -is, Should -BeOfType). PowerShell looks up type names only in its default load context, and the
/// engine lives in its own (see Kallglot.PowerShell.Loader); type accelerators under the full names
/// bridge that, as about_Classes_and_Modules shows for exporting classes.
/// </summary>
public sealed class TypeNames : IModuleAssemblyInitializer
{
    private static readonly Type? Accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    internal static IEnumerable<Type> EngineTypes => typeof(Kallglot.KallglotClient).Assembly.GetExportedTypes()
        .Concat(typeof(TypeNames).Assembly.GetExportedTypes().Where(type => type.Namespace?.StartsWith("Kallglot.PowerShell.", StringComparison.Ordinal) == true && !typeof(Cmdlet).IsAssignableFrom(type)));

    /// <inheritdoc />
    public void OnImport()
    {
        var add = Accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(Type)]);
        foreach (var type in EngineTypes.Where(type => type.FullName is not null))
        {
            add?.Invoke(null, [type.FullName!, type]);
        }
    }

    internal static void Remove()
    {
        var remove = Accelerators?.GetMethod("Remove", BindingFlags.Public | BindingFlags.Static, [typeof(string)]);
        foreach (var type in EngineTypes.Where(type => type.FullName is not null))
        {
            remove?.Invoke(null, [type.FullName!]);
        }
    }
}
