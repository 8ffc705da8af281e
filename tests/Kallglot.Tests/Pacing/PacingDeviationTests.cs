using Kallglot.Pacing;

namespace Kallglot.Tests.Pacing;

public sealed class PacingDeviationTests
{
    [Fact]
    public void Early_and_late_frames_both_count_as_deviation_while_the_mean_keeps_their_sign()
    {
        var deviation = new PacingDeviation();
        deviation.Add(TimeSpan.FromMilliseconds(-0.4));
        deviation.Add(TimeSpan.FromMilliseconds(0.2));

        Assert.Equal(TimeSpan.FromMilliseconds(0.4), deviation.Max);
        Assert.Equal(TimeSpan.FromMilliseconds(-0.1), deviation.MeanLateness);
        Assert.Equal(TimeSpan.FromMilliseconds(0.25), deviation.P50);
    }

    [Fact]
    public void Percentiles_of_combined_sends_are_those_of_all_their_frames_not_an_average_of_percentiles()
    {
        var quiet = new PacingDeviation();
        var noisy = new PacingDeviation();
        for (var i = 0; i < 990; i++)
        {
            quiet.Add(TimeSpan.FromMilliseconds(0.1));
        }
        for (var i = 0; i < 10; i++)
        {
            noisy.Add(TimeSpan.FromMilliseconds(7));
        }

        var all = PacingDeviation.Combine([quiet, null, noisy]);

        Assert.Equal(1000, all.Frames);
        Assert.Equal(TimeSpan.FromMilliseconds(0.15), all.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(7), all.Percentile(99.1));
        Assert.Equal(TimeSpan.FromMilliseconds(7), all.Max);
        Assert.Equal("p50 0.15 ms, p99 0.15 ms, max 7.00 ms over 1,000 frames", all.ToString());
    }

    [Fact]
    public void An_overloaded_machines_tail_reads_to_5_ms_not_as_the_largest_deviation_seen()
    {
        var deviation = new PacingDeviation();
        for (var i = 0; i < 97; i++)
        {
            deviation.Add(TimeSpan.FromMilliseconds(1));
        }
        deviation.Add(TimeSpan.FromMilliseconds(121));
        deviation.Add(TimeSpan.FromMilliseconds(122));
        deviation.Add(TimeSpan.FromMilliseconds(900));

        Assert.Equal(TimeSpan.FromMilliseconds(125), deviation.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(900), deviation.Max);
        Assert.Equal(97, deviation.CountWithin(TimeSpan.FromMilliseconds(120)));
        Assert.Equal(99, deviation.CountWithin(TimeSpan.FromMilliseconds(125)));
    }

    [Fact]
    public void A_deviation_beyond_the_histogram_is_reported_as_the_largest_seen()
    {
        var deviation = new PacingDeviation();
        deviation.Add(TimeSpan.FromMilliseconds(1));
        deviation.Add(TimeSpan.FromMilliseconds(1250));

        Assert.Equal(TimeSpan.FromMilliseconds(1250), deviation.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(1.05), deviation.P50);
    }
}
