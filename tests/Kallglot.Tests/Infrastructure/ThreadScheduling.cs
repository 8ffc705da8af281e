using System.Runtime.InteropServices;

namespace Kallglot.Tests.Infrastructure;

/// <summary>A thread's scheduling as Linux reports it: policy (0 normal, 1 SCHED_FIFO), real-time priority and nice value.</summary>
public sealed record ThreadScheduling(int Policy, int RealTimePriority, int Nice)
{
    private const int ResetOnFork = 0x40000000;

    /// <summary>The calling thread's, from /proc/thread-self/stat.</summary>
    public static ThreadScheduling OfCurrentThread() => FromStat(File.ReadAllText("/proc/thread-self/stat"));

    /// <summary>The one thread of this process named <paramref name="name"/> (Linux keeps its first 15 characters), from /proc/self/task.</summary>
    public static ThreadScheduling OfThreadNamed(string name)
    {
        var kept = name.Length > 15 ? name[..15] : name;
        var task = Directory.GetDirectories("/proc/self/task").Single(task => ReadOrEmpty(Path.Combine(task, "comm")).TrimEnd('\n') == kept);
        return FromStat(File.ReadAllText(Path.Combine(task, "stat")));
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            // A thread may end while the list is read.
            return "";
        }
    }

    private static ThreadScheduling FromStat(string stat)
    {
        // The fields after the command name, which is in parentheses and may itself hold spaces: state is field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return new ThreadScheduling(Policy: int.Parse(fields[41 - 3]), RealTimePriority: int.Parse(fields[40 - 3]), Nice: int.Parse(fields[19 - 3]));
    }

    /// <summary>Whether what the calling thread starts begins at normal priority whatever its own (SCHED_RESET_ON_FORK).</summary>
    public static bool CurrentThreadResetsOnFork() => (sched_getscheduler(0) & ResetOnFork) != 0;

    /// <summary>The nice value a thread or process started by a thread at <paramref name="parentNice"/> begins with under SCHED_RESET_ON_FORK.</summary>
    public static int NiceAfterReset(int parentNice) => Math.Max(0, parentNice);

    [DllImport("libc")]
    private static extern int sched_getscheduler(int pid);
}
