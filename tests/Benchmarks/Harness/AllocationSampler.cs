using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Kallglot.Benchmarks.Harness;

/// <summary>
/// What a paced run allocates, by type: the runtime's allocation ticks (one about every 100 KB allocated), printed after
/// each pacing run when the harness is given <c>--allocations</c>. How the send path was found to allocate per frame.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private static readonly ConcurrentDictionary<string, long> TicksByType = new();

    /// <summary>Forgets what was sampled so far: the next print is of what is allocated from now.</summary>
    public static void Restart() => TicksByType.Clear();

    /// <summary>Prints the types sampled most since <see cref="Restart"/> (nothing unless sampling), then restarts.</summary>
    public static void PrintAndRestart(string run)
    {
        if (TicksByType.IsEmpty)
        {
            return;
        }
        Console.WriteLine($"Allocation ticks (about 100 KB each) of {run}:");
        foreach (var (type, ticks) in TicksByType.OrderByDescending(pair => pair.Value).Take(15))
        {
            Console.WriteLine($"{ticks,8} {type}");
        }
        Restart();
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // The GC keyword at verbose level carries the allocation ticks.
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true)
        {
            var index = eventData.PayloadNames!.IndexOf("TypeName");
            var type = index >= 0 ? eventData.Payload![index]?.ToString() ?? "?" : "?";
            TicksByType.AddOrUpdate(type, 1, (_, ticks) => ticks + 1);
        }
    }
}
