using Kallglot.Pacing;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// The emulator's one pacer for translated audio, at normal priority. The emulator stands for a server
/// elsewhere; on a test machine it shares the cores with the client under test, and a pacer sees only
/// its own frames: in real time, the emulator's went back to real time whenever its own frames were on
/// time while the client's ran late on saturated cores (500 streams in pwsh: client p99 47.5-110 ms in
/// six runs, against 40.25 and 42.75 ms in two with the emulator's pacer at normal priority;
/// docs/performance.md).
/// </summary>
internal static class EmulatorFramePacer
{
    private static readonly Lazy<FramePacer> Pacer = new(() => new FramePacer("Kallglot emulator pacer", raisePriority: false));

    public static FramePacer Shared => Pacer.Value;
}
