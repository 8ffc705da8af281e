namespace Kallglot.Benchmarks.Harness;

/// <summary>How busy the whole machine's cores were between two readings (Linux /proc/stat; null elsewhere).</summary>
internal sealed class MachineCpu
{
    private readonly (long Busy, long Total)? _start = Read();

    /// <summary>The share of all cores' time spent busy since this was created, 0 to 1.</summary>
    public double? BusySinceStart()
    {
        var end = Read();
        if (_start is not { } start || end is not { } now || now.Total == start.Total)
        {
            return null;
        }
        return (double)(now.Busy - start.Busy) / (now.Total - start.Total);
    }

    /// <summary>The share of all cores' time spent busy between two first lines of /proc/stat read by another process; null when either is missing.</summary>
    public static double? BusyBetween(string? first, string? second)
    {
        if (string.IsNullOrEmpty(first) || string.IsNullOrEmpty(second))
        {
            return null;
        }
        var (startBusy, startTotal) = Parse(first);
        var (endBusy, endTotal) = Parse(second);
        return endTotal == startTotal ? null : (double)(endBusy - startBusy) / (endTotal - startTotal);
    }

    private static (long Busy, long Total)? Read() => File.Exists("/proc/stat") ? Parse(File.ReadLines("/proc/stat").First()) : null;

    private static (long Busy, long Total) Parse(string cpuLine)
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = cpuLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }
}
