namespace Kallglot.Benchmarks.Harness;

/// <summary>The garbage collections of this process over a run, the time they paused it, and what it allocated.</summary>
internal sealed class GcActivity
{
    private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();
    private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: false);

    public static GcActivity Start() => new();

    /// <summary>Bytes allocated by every thread of the process since the start.</summary>
    public long Allocated => GC.GetTotalAllocatedBytes(precise: false) - _allocated;

    public string Summary(long? frames = null)
    {
        var paused = GC.GetTotalPauseDuration() - _paused;
        var counts = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - _collections[g]).ToArray();
        var total = counts[0];
        var allocated = Allocated;
        var perFrame = frames is > 0 ? $", {allocated / frames.Value:N0} B a frame" : "";
        return $"GC: {counts[0]} collections ({counts[1]} gen1, {counts[2]} gen2), paused {paused.TotalMilliseconds:0} ms in all, {(total > 0 ? paused.TotalMilliseconds / total : 0):0.00} ms each; allocated {allocated / 1048576.0:N1} MB{perFrame}";
    }
}
