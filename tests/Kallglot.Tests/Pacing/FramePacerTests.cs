using System.Diagnostics;
using Kallglot.Pacing;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Pacing;

public sealed class FramePacerTests : IDisposable
{
    private readonly FramePacer _pacer = new("test pacer");

    public void Dispose() => _pacer.Dispose();

    [Fact]
    public async Task No_wait_of_many_streams_is_released_earlier_than_the_crowded_release_window_before_its_deadline()
    {
        var random = new Random(7);
        var start = Stopwatch.GetTimestamp();
        var deadlines = Enumerable.Range(0, 300).Select(_ => start + (long)(random.NextDouble() * 0.3 * Stopwatch.Frequency)).ToArray();

        var releasedAt = await Task.WhenAll(deadlines.Select(async due =>
        {
            await _pacer.WaitUntilAsync(due);
            return Stopwatch.GetTimestamp();
        }));

        for (var i = 0; i < deadlines.Length; i++)
        {
            Assert.True(releasedAt[i] >= deadlines[i] - _pacer.CrowdedReleaseWindow, $"wait {i} was released {Stopwatch.GetElapsedTime(releasedAt[i], deadlines[i]).TotalMilliseconds:0.00} ms early");
        }
    }

    [Fact]
    public void Where_the_platform_sleeps_precisely_the_release_window_is_a_tenth_of_a_millisecond()
    {
        var expected = PreciseSleep.IsSupported ? Stopwatch.Frequency / 10_000 : Stopwatch.Frequency / 2000;

        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, PreciseSleep.IsSupported);
        Assert.Equal(expected, _pacer.ReleaseWindow);
    }

    [Fact]
    public void Streams_started_at_the_same_moment_get_phases_spread_over_the_frame_period()
    {
        var period = Stopwatch.Frequency / 50;
        var now = Stopwatch.GetTimestamp();

        var starts = Enumerable.Range(0, 100).Select(_ => _pacer.SpreadStart(now, period)).ToArray();

        Assert.All(starts, start => Assert.InRange(start, now, now + period - 1));
        // 100 streams over a 20 ms period: about five first frames a millisecond, never a pile in one.
        var crowdedMillisecond = starts.GroupBy(start => (start - now) * 1000 / Stopwatch.Frequency).Max(group => group.Count());
        Assert.True(crowdedMillisecond <= 8, $"{crowdedMillisecond} streams start in the same millisecond");
    }

    [Fact]
    public async Task Waits_due_at_the_same_moment_are_released_together_by_one_wake_of_its_thread()
    {
        var due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 4);

        await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => _pacer.WaitUntilAsync(due).AsTask()));

        Assert.Equal(1, _pacer.Wakes);
    }

    [Fact]
    public async Task A_send_that_waits_for_its_socket_hands_the_pacer_back_so_other_streams_frames_stay_on_schedule()
    {
        // The frame is handed on inline until the next frame's deadline, however long a loaded machine stalls the pacer between
        // its wake and the hand-over (past the usual 2 ms it goes to the pool, which failed one CI run of this test).
        using var pacer = new FramePacer("test pacer", inlineCeiling: TimeSpan.FromSeconds(1));
        var socketReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Registered here, not in a Task.Run that a loaded machine may start after the deadline has passed (then
        // released inline on a pool thread, which failed one CI run); a fifth of a second leaves room for stalls.
        var due = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5);
        var slowStream = SendWhenSocketIsReadyAsync(pacer.WaitUntilAsync(due), socketReady.Task);
        var otherStreamDue = due + (Stopwatch.Frequency / 20);

        await pacer.WaitUntilAsync(otherStreamDue).AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(Stopwatch.GetTimestamp() >= otherStreamDue - pacer.ReleaseWindow);
        Assert.False(slowStream.IsCompleted);
        socketReady.SetResult();
        // The frame is handed on from the pacer's own thread: no thread-pool queue between deadline and send.
        Assert.Equal("test pacer", await slowStream);
    }

    private static async Task<string?> SendWhenSocketIsReadyAsync(ValueTask frameDue, Task socketReady)
    {
        // ConfigureAwait(false): xunit's context would otherwise take the continuation off the pacer's thread.
        await frameDue.ConfigureAwait(false);
        var releasedOn = Thread.CurrentThread.Name;
        await socketReady.ConfigureAwait(false);
        return releasedOn;
    }

    [Fact]
    public async Task Hundreds_of_frames_due_at_once_do_not_hold_the_pacer_past_the_next_deadline()
    {
        // Off xunit's context, as the module's awaits are: the context would otherwise queue every continuation behind the batch.
        var (finishedWhenReleased, timeline) = await Task.Run(async () =>
        {
            // A second ahead: all 500 must be registered before it, or the late ones would complete, and spin, on this thread.
            var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            var firstResumedAt = 0L;
            var finished = 0;
            var batch = Enumerable.Range(0, 500).Select(async _ =>
            {
                await _pacer.WaitUntilAsync(due);
                Interlocked.CompareExchange(ref firstResumedAt, Stopwatch.GetTimestamp(), 0);
                // A millisecond of work per frame: half a second for the batch, were it all handed on from the pacer's thread,
                // and at least a quarter of a second on two cores however it is spread.
                var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000);
                while (Stopwatch.GetTimestamp() < until)
                {
                }
                Interlocked.Increment(ref finished);
            }).ToArray();
            var registeredAt = Stopwatch.GetTimestamp();

            // 50 ms after the batch: a machine that wakes the pacer that late would release both in one pass, where the next
            // deadline is rightly behind the batch, and that is not what this test is about.
            await _pacer.WaitUntilAsync(due + (Stopwatch.Frequency / 20));
            var finishedThen = Volatile.Read(ref finished);
            var resumedAt = Stopwatch.GetTimestamp();
            await Task.WhenAll(batch);
            return (finishedThen, $"registered {Milliseconds(due - registeredAt)} ms before the batch's deadline, the batch resumed " +
                $"{Milliseconds(firstResumedAt - due)} ms and the next wait {Milliseconds(resumedAt - due)} ms after it");
        });

        Assert.True(finishedWhenReleased < 500, $"the next deadline waited for the whole batch: {timeline}");
    }

    [Fact]
    public async Task A_paced_wait_that_can_be_cancelled_allocates_nothing_once_its_waiter_is_reused()
    {
        // Every paced frame of Send-KallglotAudio waits with a token that can cancel it: 50 waits a second per stream.
        using var cancellation = new CancellationTokenSource();
        for (var i = 0; i < 5; i++)
        {
            await _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 200), cancellation.Token);
        }

        long allocated = 0;
        for (var i = 0; i < 50; i++)
        {
            // Five milliseconds ahead: the wait is queued and watches the token, as a paced frame's does.
            var before = GC.GetAllocatedBytesForCurrentThread();
            var wait = _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 200), cancellation.Token);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            await wait;
        }

        Assert.True(allocated < 50 * 24L, $"{allocated} bytes allocated registering 50 waits");
    }

    [Theory]
    [InlineData(5.0, 2.0)] // the next wait 5 ms away: the ceiling, 2 ms
    [InlineData(0.8, 0.8)] // nothing else due for 0.8 ms: until then
    [InlineData(0.1, 0.25)] // another wait due at once: the quarter-millisecond budget all the same
    [InlineData(double.PositiveInfinity, 2.0)] // no other wait: the ceiling
    public void A_wake_hands_frames_on_itself_past_its_budget_only_while_no_other_wait_is_due(double nextDueInMs, double expectedMs)
    {
        const long Frequency = 1_000_000;
        var wokeAt = 1_000 * Frequency;
        var nextDue = double.IsPositiveInfinity(nextDueInMs) ? long.MaxValue : wokeAt + (long)(nextDueInMs * Frequency / 1000);

        var until = FramePacer.InlineUntil(wokeAt, nextDue, budget: Frequency / 4000, ceiling: Frequency / 500);

        Assert.Equal(expectedMs, (until - wokeAt) * 1000.0 / Frequency, precision: 6);
    }

    private static string Milliseconds(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_earlier_deadline_arriving_while_the_pacer_sleeps_to_a_later_one_is_released_first()
    {
        var lateDue = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        var late = _pacer.WaitUntilAsync(lateDue).AsTask();
        await Eventually.UntilAsync(() => _pacer.SleepingUntil == lateDue, "the pacer to sleep towards the later deadline");
        var early = _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20)).AsTask();

        await early;

        Assert.True(Stopwatch.GetTimestamp() < lateDue - (Stopwatch.Frequency * 5), "the earlier deadline was released only when the pacer woke for the later one");
        Assert.False(late.IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_wait_ends_at_once_and_the_others_keep_their_deadlines()
    {
        using var cancellation = new CancellationTokenSource();
        var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        var cancelled = _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60), cancellation.Token).AsTask();
        var kept = _pacer.WaitUntilAsync(due).AsTask();
        // Each wait's end is timed where it happens, not when this test gets to look: on a loaded machine that can be much later.
        var cancelledAt = cancelled.ContinueWith(_ => Stopwatch.GetTimestamp(), TaskContinuationOptions.ExecuteSynchronously);
        var keptAt = kept.ContinueWith(_ => Stopwatch.GetTimestamp(), TaskContinuationOptions.ExecuteSynchronously);

        cancellation.Cancel();

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(cancellation.Token, exception.CancellationToken);
        Assert.True(await cancelledAt < due, "the cancelled wait ended only after the other's deadline, not at once");
        await kept;
        Assert.True(await keptAt >= due - _pacer.ReleaseWindow, "the wait that was not cancelled ended before its deadline");
    }

    [Fact]
    public async Task A_wait_whose_deadline_has_passed_completes_at_once_without_the_thread()
    {
        var wait = _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() - Stopwatch.Frequency);

        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
        Assert.Equal(0, _pacer.Wakes);
    }

    [Fact]
    public async Task Waits_reused_thousands_of_times_with_cancellations_between_them_each_complete_once()
    {
        // Waiters are pooled: a stale deadline or cancellation of an earlier use must never complete a later one.
        var completed = 0;
        var cancelled = 0;
        var releasedBeforeCancel = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                using var cancellation = new CancellationTokenSource();
                var wait = _pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000 * (1 + (i % 3))), cancellation.Token);
                if (i % 5 == worker % 5)
                {
                    cancellation.Cancel();
                    try
                    {
                        await wait;
                        // A stall of a millisecond before the cancel lets the deadline win: released, and just as legitimately once.
                        Interlocked.Increment(ref releasedBeforeCancel);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref cancelled);
                    }
                    continue;
                }
                await wait;
                Interlocked.Increment(ref completed);
            }
        })));

        Assert.Equal(8 * 120, completed);
        Assert.Equal(8 * 30, cancelled + releasedBeforeCancel);
        Assert.True(cancelled > 0, "no cancellation beat its deadline in 240 tries");
    }

    [Fact]
    public async Task A_stale_deadline_of_a_pooled_wait_never_claims_a_later_wait_even_after_the_value_task_version_wraps()
    {
        // The value task's version is a short: after 65,536 reuses it repeats, and must not make an old queue entry match again.
        var waiter = new PacerWaiter(_pacer);
        var first = waiter.Arm(Stopwatch.GetTimestamp());
        for (var use = 0; use <= ushort.MaxValue; use++)
        {
            Assert.True(waiter.TryClaim(use == 0 ? first : waiter.Arm(Stopwatch.GetTimestamp())));
            waiter.Release(inline: true);
            // Reading the result resets the waiter for its next use, as the pacer's callers do.
            await new ValueTask(waiter, waiter.Version);
        }

        var current = waiter.Arm(Stopwatch.GetTimestamp());

        Assert.False(waiter.TryClaim(first));
        Assert.True(waiter.TryClaim(current));
        Assert.False(waiter.TryClaim(current));
    }

    [Fact]
    public async Task Disposing_the_pacer_ends_its_pending_waits_instead_of_leaving_them_hanging()
    {
        var pacer = new FramePacer("disposed pacer");
        var pending = pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60)).AsTask();

        pacer.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
        Assert.Throws<ObjectDisposedException>(() => { _ = pacer.WaitUntilAsync(Stopwatch.GetTimestamp() + Stopwatch.Frequency); });
    }
}
