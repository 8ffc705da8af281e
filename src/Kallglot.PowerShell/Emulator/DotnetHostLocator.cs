namespace Kallglot.PowerShell.Emulator;

/// <summary>
/// Finds the dotnet host that runs the emulator: KALLGLOT_DOTNET_HOST when set (a machine with several
/// .NET installs), the one running PowerShell when it is dotnet, else DOTNET_HOST_PATH, DOTNET_ROOT, PATH.
/// </summary>
internal static class DotnetHostLocator
{
    public static string? Find()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("KALLGLOT_DOTNET_HOST"),
            Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == executable ? processPath : null,
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root ? Path.Combine(root, executable) : null,
        };
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(directory, executable));
        }
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (runtimeDirectory is not null)
        {
            // shared/Microsoft.NETCore.App/<version>/ -> the install root holds dotnet.
            candidates.Add(Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", executable)));
        }
        return candidates.FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));
    }
}
