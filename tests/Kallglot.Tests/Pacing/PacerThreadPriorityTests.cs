using System.Collections.Concurrent;
using System.Diagnostics;
using Kallglot.Pacing;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Pacing;

public sealed class PacerThreadPriorityTests
{
    private const int NormalPolicy = 0;
    private const int FifoPolicy = 1;
    private const string RaisedPacer = "raised test pacer";
    private const string NormalPacer = "normal test pacer";

    [Fact]
    public void A_process_that_may_schedule_in_real_time_gets_a_real_time_pacer_at_priority_10()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99 };

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal((PacerPriorityKind.RealTime, 10), (priority.Kind, priority.Level));
        Assert.Equal(["fifo 10"], calls.Asked);
        Assert.Equal("real-time priority (SCHED_FIFO 10)", priority.ToString());
    }

    [Fact]
    public void A_real_time_limit_below_10_is_used_as_far_as_it_goes()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 5, RealTimeLimit = 5 };

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal((PacerPriorityKind.RealTime, 5), (priority.Kind, priority.Level));
        Assert.Equal(["fifo 10", "fifo 5"], calls.Asked);
        Assert.Contains("RLIMIT_RTPRIO", priority.Reason);
    }

    [Fact]
    public void Refused_real_time_the_pacer_takes_nice_minus_15_and_says_how_to_allow_real_time()
    {
        var calls = new FakeSchedulingCalls { LowestNiceAllowed = -20 };

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal((PacerPriorityKind.Raised, -15), (priority.Kind, priority.Level));
        Assert.Equal(["fifo 10", "nice -15"], calls.Asked);
        Assert.Contains("LimitRTPRIO=10", priority.Reason);
    }

    [Fact]
    public void A_nice_limit_above_minus_15_is_used_as_far_as_it_goes()
    {
        var calls = new FakeSchedulingCalls { LowestNiceAllowed = -5, NiceFloor = -5 };

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal((PacerPriorityKind.Raised, -5), (priority.Kind, priority.Level));
        Assert.Equal(["fifo 10", "nice -15", "nice -5"], calls.Asked);
        Assert.Equal("raised priority (nice -5)", priority.ToString());
    }

    [Fact]
    public void A_process_that_may_raise_nothing_keeps_a_normal_pacer_and_says_how_to_allow_real_time()
    {
        var calls = new FakeSchedulingCalls();

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal(PacerPriorityKind.Normal, priority.Kind);
        Assert.Equal(["fifo 10", "nice -15"], calls.Asked);
        Assert.Contains("may not raise a thread's priority", priority.Reason);
        Assert.Contains("'rtprio 10' in /etc/security/limits.conf", priority.Reason);
        Assert.Equal("normal priority", priority.ToString());
    }

    [Fact]
    public void A_C_library_without_scheduling_policies_keeps_a_normal_pacer_and_says_so_instead_of_advising_limits()
    {
        var calls = new FakeSchedulingCalls { RefuseRealTimeWith = 38 };

        var priority = PacerThreadPriority.Raise(calls);

        Assert.Equal(PacerPriorityKind.Normal, priority.Kind);
        Assert.Equal(["fifo 10"], calls.Asked);
        Assert.Contains("does not implement scheduling policies", priority.Reason);
        Assert.DoesNotContain("LimitRTPRIO", priority.Reason);
    }

    [Fact]
    public async Task A_real_time_pacer_leaves_real_time_above_20_pending_waits_and_comes_back_only_at_10_or_fewer()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls);

        await WaitTogether(pacer, FramePacer.CrowdedAbove + 1);
        Assert.Equal(["fifo 10", "normal"], calls.Asked);
        await WaitTogether(pacer, 15);
        Assert.Equal(["fifo 10", "normal"], calls.Asked);
        await WaitTogether(pacer, 10);
        Assert.Equal(["fifo 10", "normal", "fifo 10"], calls.Asked);
        Assert.Equal(PacerPriorityKind.RealTime, pacer.Priority.Kind);
    }

    [Fact]
    public async Task A_pacer_refused_real_time_on_its_way_back_from_a_crowd_stays_normal_and_reports_it()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99, RefuseRealTimeAfter = 1 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls);

        await WaitTogether(pacer, FramePacer.CrowdedAbove + 1);
        await WaitTogether(pacer, 1);
        await WaitTogether(pacer, 1);

        Assert.Equal(["fifo 10", "normal", "fifo 10"], calls.Asked);
        Assert.Equal(PacerPriorityKind.Normal, pacer.Priority.Kind);
        Assert.Contains("real time was refused", pacer.Priority.Reason);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("Raised", true)]
    [InlineData("Normal", false)]
    [InlineData(" normal ", false)]
    public void Only_KALLGLOT_PACER_PRIORITY_set_to_Normal_keeps_the_pacer_at_normal_priority(string? setting, bool raised)
    {
        Assert.Equal(raised, PacerThreadPriority.IsWanted(setting));
    }

    [LinuxFact]
    public async Task A_raised_pacer_thread_runs_at_the_scheduling_it_reports_and_resets_it_for_what_it_starts()
    {
        // The pacer's thread starts with its creator's scheduling: the test runner's, which may itself run under nice.
        var creator = ThreadScheduling.OfCurrentThread();
        using var pacer = new FramePacer(RaisedPacer, raisePriority: true);

        var (observed, resetsOnFork) = await OnPacerThread(pacer, RaisedPacer, () => (ThreadScheduling.OfCurrentThread(), ThreadScheduling.CurrentThreadResetsOnFork()));

        var expected = pacer.Priority.Kind switch
        {
            PacerPriorityKind.RealTime => new ThreadScheduling(FifoPolicy, pacer.Priority.Level, creator.Nice),
            PacerPriorityKind.Raised => new ThreadScheduling(NormalPolicy, 0, pacer.Priority.Level),
            _ => creator,
        };
        Assert.Equal(expected, observed);
        Assert.True(resetsOnFork || pacer.Priority.Kind == PacerPriorityKind.Normal, $"the pacer runs at {pacer.Priority} without SCHED_RESET_ON_FORK");
    }

    [LinuxFact]
    public async Task Threads_and_processes_started_from_a_raised_pacer_thread_run_at_normal_priority()
    {
        using var pacer = new FramePacer(RaisedPacer, raisePriority: true);

        var (pacerThread, thread, process) = await OnPacerThread(pacer, RaisedPacer, () =>
        {
            ThreadScheduling? started = null;
            var child = new Thread(() => started = ThreadScheduling.OfCurrentThread());
            child.Start();
            child.Join();
            // A process inherits its parent thread's scheduling unless the parent asked for it to be reset.
            var start = new ProcessStartInfo("/bin/sh", ["-c", "cut -d' ' -f19,40,41 /proc/self/stat"]) { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            var processScheduling = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return (ThreadScheduling.OfCurrentThread(), started, processScheduling);
        });

        var expectedNice = ThreadScheduling.NiceAfterReset(pacerThread.Nice);
        Assert.Equal(new ThreadScheduling(NormalPolicy, 0, expectedNice), thread);
        Assert.Equal($"{expectedNice} 0 {NormalPolicy}", process);
    }

    [LinuxFact]
    public async Task A_real_time_pacer_paces_a_crowd_at_normal_priority_and_returns_to_real_time_when_few_waits_remain()
    {
        var creator = ThreadScheduling.OfCurrentThread();
        using var pacer = new FramePacer(RaisedPacer, raisePriority: true);
        var seenOnPacer = new ConcurrentBag<ThreadScheduling>();

        // The first continuations of a wake run on the pacer's thread, unless a loaded machine held the pacer past its budget: try again.
        for (var attempt = 0; attempt < 10 && seenOnPacer.IsEmpty; attempt++)
        {
            await WaitTogether(pacer, FramePacer.CrowdedAbove * 2, onResume: () =>
            {
                if (Thread.CurrentThread.Name == RaisedPacer)
                {
                    seenOnPacer.Add(ThreadScheduling.OfCurrentThread());
                }
            });
        }
        var afterwards = await OnPacerThread(pacer, RaisedPacer, ThreadScheduling.OfCurrentThread);

        Assert.NotEmpty(seenOnPacer);
        if (pacer.Priority.Kind == PacerPriorityKind.RealTime)
        {
            Assert.All(seenOnPacer, seen => Assert.Equal(new ThreadScheduling(NormalPolicy, 0, creator.Nice), seen));
            Assert.Equal(new ThreadScheduling(FifoPolicy, pacer.Priority.Level, creator.Nice), afterwards);
        }
        else
        {
            Assert.All(seenOnPacer, seen => Assert.Equal(afterwards, seen));
        }
    }

    [LinuxFact]
    public async Task A_pacer_told_not_to_raise_its_priority_keeps_its_creators_scheduling()
    {
        var creator = ThreadScheduling.OfCurrentThread();
        using var pacer = new FramePacer(NormalPacer, raisePriority: false);

        var observed = await OnPacerThread(pacer, NormalPacer, ThreadScheduling.OfCurrentThread);

        Assert.Equal(PacerPriorityKind.Normal, pacer.Priority.Kind);
        Assert.Contains(PacerThreadPriority.EnvironmentVariable, pacer.Priority.Reason);
        Assert.Equal(creator, observed);
    }

    [LinuxFact]
    public void The_limits_the_pacer_falls_back_on_are_the_ones_Linux_reports_for_the_process()
    {
        var limits = File.ReadAllLines("/proc/self/limits");
        int Soft(string name)
        {
            var value = limits.Single(line => line.StartsWith(name, StringComparison.Ordinal))[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return value == "unlimited" ? int.MaxValue : int.Parse(value);
        }
        ISchedulingCalls calls = new LinuxSchedulingCalls();

        Assert.Equal(Math.Min(Soft("Max realtime priority"), 99), calls.RealTimeLimit());
        Assert.Equal(20 - Math.Min(Soft("Max nice priority"), 40), calls.NiceFloor());
    }

    private static Task WaitTogether(FramePacer pacer, int waits, Action? onResume = null)
    {
        // A quarter second ahead, so that all of them are pending when they fall due, however slowly a loaded machine registers them.
        var due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 4);
        return Task.WhenAll(Enumerable.Range(0, waits).Select(async _ =>
        {
            // Where the pacer released it: on its own thread within its inline budget, on the pool past it.
            await pacer.WaitUntilAsync(due).ConfigureAwait(false);
            onResume?.Invoke();
        }));
    }

    private static async Task<T> OnPacerThread<T>(FramePacer pacer, string threadName, Func<T> read)
    {
        // A released wait's continuation runs on the pacer's thread, unless a loaded machine delayed the wait past its deadline
        // or the pacer past its inline budget: then it runs elsewhere, and the next wait tries again.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20)).ConfigureAwait(false);
            if (Thread.CurrentThread.Name == threadName)
            {
                return read();
            }
        }
        throw new Xunit.Sdk.XunitException("no wait's continuation ran on the pacer's thread in 20 tries");
    }
}
