namespace Kallglot.Benchmarks.Harness;

/// <summary>Where things are: the built module, its emulator, the pinned pwsh, a scratch folder.</summary>
internal sealed class BenchmarkContext(string modulePath, string pwshDll, string scratch)
{
    public string ModulePath { get; } = modulePath;

    public string EmulatorDll { get; } = Path.Combine(Path.GetDirectoryName(modulePath)!, "emulator", "Kallglot.Emulator.dll");

    public PowerShellRunner PowerShell { get; } = new(pwshDll);

    public string Scratch { get; } = scratch;

    /// <summary>Environment for pwsh scripts: the module path and the emulator's endpoint and key.</summary>
    public Dictionary<string, string> ScriptEnvironment(EmulatorProcess emulator) => new()
    {
        ["KG_MODULE"] = ModulePath,
        ["KG_BASE"] = emulator.BaseUri.ToString(),
        ["KG_KEY"] = emulator.ApiKey,
    };
}
