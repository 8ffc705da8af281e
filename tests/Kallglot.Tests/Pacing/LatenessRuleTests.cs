using System.Diagnostics;
using Kallglot.Pacing;

namespace Kallglot.Tests.Pacing;

public sealed class LatenessRuleTests
{
    // An hour a window: no window ends by itself while a test runs, only at the moments the test gives.
    private static readonly long Window = Stopwatch.Frequency * 3600;
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    private readonly LatenessRule _rule = new(Window, leaveAbove: 10 * Millisecond, returnAbove: 5 * Millisecond, fewResumes: 1000);
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _windowsEnded;

    [Fact]
    public void No_answer_comes_before_a_window_has_passed()
    {
        Resumes(1000, lateBy: 20 * Millisecond);

        Assert.Null(_rule.Review(_start + (Window / 2), inRealTime: true));
        Assert.Null(_rule.Review(_start + (Window / 2), inRealTime: false));
    }

    [Fact]
    public void Two_windows_in_a_row_with_over_1_percent_of_resumes_more_than_10_ms_late_leave_real_time()
    {
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 11, lateBy: 11 * Millisecond));
        Assert.False(EndWindow(inRealTime: true, resumes: 1000, late: 11, lateBy: 11 * Millisecond));
    }

    [Fact]
    public void A_late_window_between_on_time_ones_keeps_real_time()
    {
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 50, lateBy: 30 * Millisecond));
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 0, lateBy: 0));
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 50, lateBy: 30 * Millisecond));
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 0, lateBy: 0));
    }

    [Theory]
    [InlineData(1000, 10, 11, 3)] // exactly 1 % over 10 ms late is on time enough
    [InlineData(1000, 500, 10, 2)] // late by 10 ms or less is on time enough
    [InlineData(999, 999, 100, 3)] // fewer than 1000 resumes a window, however late
    public void Windows_that_are_not_late_enough_keep_real_time_however_many_come_in_a_row(int resumes, int late, int lateByMs, int windows)
    {
        for (var window = 0; window < windows; window++)
        {
            Assert.True(EndWindow(inRealTime: true, resumes, late, lateByMs * Millisecond));
        }
    }

    [Fact]
    public void At_normal_priority_fewer_than_500_resumes_a_window_bring_real_time_back_however_late_they_are()
    {
        Assert.False(EndWindow(inRealTime: false, resumes: 999, late: 999, lateBy: 100 * Millisecond));
        Assert.False(EndWindow(inRealTime: false, resumes: 500, late: 500, lateBy: 100 * Millisecond));
        Assert.True(EndWindow(inRealTime: false, resumes: 499, late: 499, lateBy: 100 * Millisecond));
    }

    [Fact]
    public void At_normal_priority_real_time_comes_back_only_once_at_most_1_percent_resume_more_than_5_ms_late()
    {
        Assert.False(EndWindow(inRealTime: false, resumes: 1000, late: 11, lateBy: 6 * Millisecond));
        Assert.False(EndWindow(inRealTime: false, resumes: 1000, late: 500, lateBy: 40 * Millisecond));
        Assert.True(EndWindow(inRealTime: false, resumes: 1000, late: 10, lateBy: 6 * Millisecond));
    }

    [Fact]
    public void At_normal_priority_a_window_without_resumes_says_nothing_and_changes_nothing_where_any_count_is_enough()
    {
        var rule = new LatenessRule(Window, leaveAbove: 10 * Millisecond, returnAbove: 5 * Millisecond, fewResumes: 1);
        var start = Stopwatch.GetTimestamp();

        Assert.False(rule.Review(start + Window, inRealTime: false));
        rule.Record(0);
        Assert.True(rule.Review(start + (2 * Window), inRealTime: false));
    }

    [Fact]
    public void A_late_window_before_a_stay_at_normal_priority_does_not_count_towards_leaving_real_time_again()
    {
        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 11, lateBy: 11 * Millisecond));
        Assert.False(EndWindow(inRealTime: true, resumes: 1000, late: 11, lateBy: 11 * Millisecond));
        Assert.True(EndWindow(inRealTime: false, resumes: 1000, late: 0, lateBy: 0));

        Assert.True(EndWindow(inRealTime: true, resumes: 1000, late: 11, lateBy: 11 * Millisecond));
    }

    private bool EndWindow(bool inRealTime, int resumes, int late, long lateBy)
    {
        Resumes(resumes - late, lateBy: 0);
        Resumes(late, lateBy);
        _windowsEnded++;
        var answer = _rule.Review(_start + (_windowsEnded * Window), inRealTime);
        Assert.NotNull(answer);
        return answer.Value;
    }

    private void Resumes(int count, long lateBy)
    {
        for (var resume = 0; resume < count; resume++)
        {
            _rule.Record(lateBy);
        }
    }
}
