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
    private const string LatenessPacer = "lateness pacer";

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
    public async Task A_real_time_pacer_goes_to_normal_priority_while_its_waits_resume_late_and_back_once_they_are_on_time()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls, QuickRule());

        await ResumeLateUntil(pacer, () => calls.Asked.Contains("normal"));
        Assert.Equal(["fifo 10", "normal"], calls.Asked);
        Assert.Equal(1, pacer.RealTimeLeft);
        await ResumeOnTimeUntil(pacer, () => calls.Asked.Count == 3);

        Assert.Equal(["fifo 10", "normal", "fifo 10"], calls.Asked);
    }

    [Fact]
    public async Task Sends_already_behind_their_schedule_count_as_late_though_they_do_not_wait()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls, QuickRule());

        await SendBehindUntil(pacer, () => calls.Asked.Contains("normal"));

        Assert.Equal(["fifo 10", "normal"], calls.Asked);
    }

    [Fact]
    public async Task A_pacer_refused_real_time_on_its_way_back_from_late_waits_stays_normal_and_reports_it()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99, RefuseRealTimeAfter = 1 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls, QuickRule());

        await ResumeLateUntil(pacer, () => calls.Asked.Contains("normal"));
        await ResumeOnTimeUntil(pacer, () => calls.Asked.Count == 3);
        var wakes = pacer.Wakes;
        // Two windows more of waits on time (a wake each 5 ms or more), in which it must not ask again.
        await ResumeOnTimeUntil(pacer, () => pacer.Wakes > wakes + 40);

        Assert.Equal(["fifo 10", "normal", "fifo 10"], calls.Asked);
        Assert.Equal(PacerPriorityKind.Normal, pacer.Priority.Kind);
        Assert.Contains("real time was refused", pacer.Priority.Reason);
    }

    [Fact]
    public async Task A_pacer_whose_waits_resume_on_time_keeps_real_time_however_many_wait_together()
    {
        var calls = new FakeSchedulingCalls { HighestRealTimeAllowed = 99 };
        // Late only past a second: what a loaded machine makes of the batches must not decide this test, only their size.
        using var pacer = new FramePacer("fake-scheduled pacer", calls, new LatenessRule(Stopwatch.Frequency / 20, leaveAbove: Stopwatch.Frequency, returnAbove: Stopwatch.Frequency / 2, fewResumes: 1));

        for (var batch = 0; batch < 5; batch++)
        {
            await WaitTogether(pacer, FramePacer.CrowdedAbove * 5);
        }

        Assert.Equal(["fifo 10"], calls.Asked);
        Assert.Equal(0, pacer.RealTimeLeft);
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

    [RealTimeFact]
    public async Task The_pacer_thread_runs_at_normal_priority_while_its_waits_resume_late_and_in_real_time_again_once_they_are_on_time()
    {
        var creator = ThreadScheduling.OfCurrentThread();
        using var pacer = new FramePacer(LatenessPacer, new LinuxSchedulingCalls(), QuickRule());
        var before = ThreadScheduling.OfThreadNamed(LatenessPacer);

        await ResumeLateUntil(pacer, () => pacer.RealTimeLeft == 1);
        var whileLate = ThreadScheduling.OfThreadNamed(LatenessPacer);
        await ResumeOnTimeUntil(pacer, () => ThreadScheduling.OfThreadNamed(LatenessPacer).Policy == FifoPolicy);
        var afterwards = ThreadScheduling.OfThreadNamed(LatenessPacer);

        var realTime = new ThreadScheduling(FifoPolicy, pacer.Priority.Level, creator.Nice);
        Assert.Equal(realTime, before);
        Assert.Equal(new ThreadScheduling(NormalPolicy, 0, creator.Nice), whileLate);
        Assert.Equal(realTime, afterwards);
    }

    [Fact]
    public async Task A_pacer_refused_real_time_keeps_the_nice_value_it_got_however_late_its_waits_resume()
    {
        var calls = new FakeSchedulingCalls { LowestNiceAllowed = -20 };
        using var pacer = new FramePacer("fake-scheduled pacer", calls, QuickRule());

        // Late enough, for long enough (eight waits 55 ms or more late, over four windows), that a real-time pacer would leave real time.
        for (var resume = 0; resume < 8; resume++)
        {
            await ResumeLate(pacer);
        }

        Assert.Equal(PacerPriorityKind.Raised, pacer.Priority.Kind);
        Assert.Equal(["fifo 10", "nice -15"], calls.Asked);
        Assert.Equal(0, pacer.RealTimeLeft);
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

    // Windows of 100 ms in which a single resume counts, so that a test's few waits decide it within a second; late means over
    // 40 ms, so that the stalls of a loaded machine (10-35 ms measured here) do not make a wait on time late.
    private static LatenessRule QuickRule() =>
        new(Stopwatch.Frequency / 10, leaveAbove: Stopwatch.Frequency / 25, returnAbove: Stopwatch.Frequency / 25, fewResumes: 1);

    // The awaiting code picks each released wait up at least 55 ms after its deadline, as a send on saturated cores would.
    private static Task ResumeLateUntil(FramePacer pacer, Func<bool> done) => RepeatUntil(done, "late resumes", () => ResumeLate(pacer));

    private static async Task ResumeLate(FramePacer pacer)
    {
        var released = pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 200));
        await Task.Delay(60).ConfigureAwait(false);
        await released.ConfigureAwait(false);
    }

    // A frame 60 ms behind leaves at once; the pacer wakes for the on-time wait beside it, whose code resumes on the pacer's
    // own thread (no test context between), and reviews what was counted: only the frames behind are late.
    private static Task SendBehindUntil(FramePacer pacer, Func<bool> done) => RepeatUntil(done, "sends behind their schedule", async () =>
    {
        await pacer.WaitUntilAsync(Stopwatch.GetTimestamp() - (Stopwatch.Frequency * 3 / 50)).ConfigureAwait(false);
        await pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50)).ConfigureAwait(false);
    });

    private static Task ResumeOnTimeUntil(FramePacer pacer, Func<bool> done) => RepeatUntil(done, "resumes on time", async () =>
        await pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 200)).ConfigureAwait(false));

    private static async Task RepeatUntil(Func<bool> done, string what, Func<Task> step)
    {
        for (var attempt = 0; attempt < 500 && !done(); attempt++)
        {
            await step().ConfigureAwait(false);
        }
        Assert.True(done(), $"the pacer did not change its priority after 500 {what}");
    }

    private static Task WaitTogether(FramePacer pacer, int waits)
    {
        // A quarter second ahead, so that all of them are pending when they fall due, however slowly a loaded machine registers them.
        var due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 4);
        return Task.WhenAll(Enumerable.Range(0, waits).Select(_ => pacer.WaitUntilAsync(due).AsTask()));
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
