namespace Kallglot.PowerShell.Emulator;

/// <summary>The emulators this PowerShell process started, so that Stop-KallglotEmulator without arguments and process exit stop them all.</summary>
internal static class EmulatorRegistry
{
    private static readonly object Gate = new();
    private static readonly List<KallglotEmulator> Running = new();

    static EmulatorRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll(TimeSpan.FromSeconds(1));
    }

    public static void Add(KallglotEmulator emulator)
    {
        lock (Gate)
        {
            Running.Add(emulator);
        }
    }

    public static IReadOnlyList<KallglotEmulator> Snapshot()
    {
        lock (Gate)
        {
            return Running.ToArray();
        }
    }

    public static void Remove(KallglotEmulator emulator)
    {
        lock (Gate)
        {
            Running.Remove(emulator);
        }
    }

    private static void StopAll(TimeSpan grace)
    {
        foreach (var emulator in Snapshot())
        {
            try
            {
                // At process exit or module removal: no pipeline to cancel, and nothing may block for long.
                emulator.StopAsync(grace, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
