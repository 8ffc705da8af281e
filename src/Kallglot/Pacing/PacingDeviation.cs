using System.Globalization;

namespace Kallglot.Pacing;

/// <summary>
/// How far paced frames left from their schedule, early or late: a histogram in steps of 0.05 ms up to
/// 50 ms and of 5 ms from there to a second, so that the deviations of many sends (hundreds of streams)
/// can be combined into one percentile, and an overloaded machine's tail still reads as a figure.
/// </summary>
public sealed class PacingDeviation
{
    private const double StepMilliseconds = 0.05;
    private const int Steps = 1000;
    private const double FineMilliseconds = Steps * StepMilliseconds;
    private const double CoarseStepMilliseconds = 5;
    private const int CoarseSteps = 190;
    private const int Top = Steps + CoarseSteps;
    private readonly int[] _counts = new int[Top + 1];
    private double _maxMilliseconds;
    private double _sumLatenessMilliseconds;

    /// <summary>Frames counted.</summary>
    public long Frames { get; private set; }

    /// <summary>Half of the frames left within this of their due time.</summary>
    public TimeSpan P50 => Percentile(50);

    /// <summary>99 in 100 frames left within this of their due time.</summary>
    public TimeSpan P99 => Percentile(99);

    /// <summary>The largest deviation.</summary>
    public TimeSpan Max => TimeSpan.FromMilliseconds(_maxMilliseconds);

    /// <summary>The mean signed lateness (negative: frames left early on average).</summary>
    public TimeSpan MeanLateness => Frames == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_sumLatenessMilliseconds / Frames);

    /// <summary>One histogram of every frame of <paramref name="deviations"/>.</summary>
    public static PacingDeviation Combine(IEnumerable<PacingDeviation?> deviations)
    {
        ArgumentNullException.ThrowIfNull(deviations);
        var combined = new PacingDeviation();
        foreach (var deviation in deviations)
        {
            if (deviation is null)
            {
                continue;
            }
            for (var i = 0; i < combined._counts.Length; i++)
            {
                combined._counts[i] += deviation._counts[i];
            }
            combined.Frames += deviation.Frames;
            combined._sumLatenessMilliseconds += deviation._sumLatenessMilliseconds;
            combined._maxMilliseconds = Math.Max(combined._maxMilliseconds, deviation._maxMilliseconds);
        }
        return combined;
    }

    /// <summary>The deviation that <paramref name="percent"/> of the frames stayed within (to the step above it: 0.05 ms up to 50 ms, 5 ms up to a second, beyond that the largest seen).</summary>
    public TimeSpan Percentile(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (Frames == 0)
        {
            return TimeSpan.Zero;
        }
        var rank = (long)Math.Ceiling(percent / 100 * Frames);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                // The top step holds everything over a second: its upper bound is the largest seen.
                return i == Top ? Max : TimeSpan.FromMilliseconds(Math.Min(_maxMilliseconds, UpperBound(i)));
            }
        }
        return Max;
    }

    /// <summary>Frames that left within <paramref name="bound"/> of their due time (to the step below it).</summary>
    public long CountWithin(TimeSpan bound)
    {
        long count = 0;
        // A step's bound in binary is a hair off its decimal (60 x 0.05 is 3.0000000000000004): a step ending at the bound counts.
        var within = bound.TotalMilliseconds + 1e-9;
        for (var i = 0; i < Top && UpperBound(i) <= within; i++)
        {
            count += _counts[i];
        }
        return count;
    }

    /// <summary>Counts one frame that left <paramref name="lateness"/> after its due time (negative: before).</summary>
    public void Add(TimeSpan lateness)
    {
        var milliseconds = lateness.TotalMilliseconds;
        var deviation = Math.Abs(milliseconds);
        _counts[StepOf(deviation)]++;
        _maxMilliseconds = Math.Max(_maxMilliseconds, deviation);
        _sumLatenessMilliseconds += milliseconds;
        Frames++;
    }

    private static int StepOf(double deviationMilliseconds) => deviationMilliseconds < FineMilliseconds
        ? (int)(deviationMilliseconds / StepMilliseconds)
        : Math.Min(Top, Steps + (int)((deviationMilliseconds - FineMilliseconds) / CoarseStepMilliseconds));

    private static double UpperBound(int step) => step < Steps
        ? (step + 1) * StepMilliseconds
        : FineMilliseconds + ((step - Steps + 1) * CoarseStepMilliseconds);

    /// <inheritdoc />
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "p50 {0:0.00} ms, p99 {1:0.00} ms, max {2:0.00} ms over {3:N0} frames", P50.TotalMilliseconds, P99.TotalMilliseconds, Max.TotalMilliseconds, Frames);
}
