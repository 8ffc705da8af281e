using System.Diagnostics;
using Kallglot.Audio;

namespace Kallglot.Tests.Infrastructure;

/// <summary>A pacing clock whose every wait wakes up late by a random 0 to <c>maxOversleep</c> (seeded): the jitter of a busy machine, without waiting for real.</summary>
internal sealed class OversleepingClock : PacingClock
{
    private readonly Random _random;
    private readonly long _maxOversleepTicks;
    private long _now = 1_000_000;

    public OversleepingClock(TimeSpan maxOversleep, int seed)
    {
        _random = new Random(seed);
        _maxOversleepTicks = (long)(maxOversleep.TotalSeconds * Stopwatch.Frequency);
    }

    public override long Now => _now;

    public override ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        _now = Math.Max(_now, due) + _random.NextInt64(_maxOversleepTicks + 1);
        return ValueTask.CompletedTask;
    }
}
