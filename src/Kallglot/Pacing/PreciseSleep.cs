using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kallglot.Pacing;

/// <summary>
/// Sleeps to a deadline to within tens of microseconds where the platform offers it: on Linux,
/// clock_nanosleep to an absolute time on the monotonic clock. The runtime's timed waits are whole
/// milliseconds, which alone leaves a frame up to half a millisecond off its schedule; the pacer
/// waits coarsely to about a millisecond before a deadline and sleeps the rest here. No spinning.
/// </summary>
internal static class PreciseSleep
{
    private const int MonotonicClock = 1;
    private const int AbsoluteTime = 1;
    private const int Interrupted = 4;

    /// <summary>Whether <see cref="Until"/> is precise here (64-bit Linux, where the time structure is two longs); when false the pacer keeps to millisecond waits.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess && Probe();

    /// <summary>Returns at <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp), sleeping; at once when it has passed.</summary>
    public static void Until(long due)
    {
        var remainingNanoseconds = (long)((due - Stopwatch.GetTimestamp()) * (1_000_000_000.0 / Stopwatch.Frequency));
        if (remainingNanoseconds <= 0)
        {
            return;
        }
        if (!SleepNanoseconds(remainingNanoseconds))
        {
            // Refused after the probe passed (a sandbox, say): sleep whole milliseconds rather than return early and spin.
            Thread.Sleep(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, remainingNanoseconds / 100)));
        }
    }

    private static bool SleepNanoseconds(long nanoseconds)
    {
        if (clock_gettime(MonotonicClock, out var now) != 0)
        {
            return false;
        }
        var total = now.Nanoseconds + nanoseconds;
        var target = new TimeSpec { Seconds = now.Seconds + (total / 1_000_000_000), Nanoseconds = total % 1_000_000_000 };
        int result;
        // An absolute target makes a signal's interruption harmless: sleep again to the same moment.
        while ((result = clock_nanosleep(MonotonicClock, AbsoluteTime, ref target, IntPtr.Zero)) == Interrupted)
        {
        }
        return result == 0;
    }

    private static bool Probe()
    {
        // Calls both functions for real (binding them, and finding out whether the platform lets them work) before the pacer relies on them.
        try
        {
            return SleepNanoseconds(1_000);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int clock_nanosleep(int clock, int flags, ref TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
