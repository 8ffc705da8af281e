namespace Kallglot.Benchmarks.Harness;

/// <summary>The garbage collections of this process over a run, and the time they paused it.</summary>
internal sealed class GcActivity
{
    private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();

    public static GcActivity Start() => new();

    public string Summary()
    {
        var paused = GC.GetTotalPauseDuration() - _paused;
        var counts = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - _collections[g]).ToArray();
        var total = counts[0];
        return $"GC: {counts[0]} collections ({counts[1]} gen1, {counts[2]} gen2), paused {paused.TotalMilliseconds:0} ms in all, {(total > 0 ? paused.TotalMilliseconds / total : 0):0.00} ms each";
    }
}
