using Kallglot.Streaming.Lifecycle;

namespace Kallglot.Tests.Streaming;

public sealed class ReconnectPolicyTests
{
    private static readonly ReconnectPolicy Policy = new(maxAttempts: 3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), jitter: () => 1.0);

    public static TheoryData<ConnectionEndKind, bool, bool, int, ReconnectVerdict> Table => new()
    {
        // how it ended,                  session.ended seen, token valid, attempts so far, verdict
        { ConnectionEndKind.Lost,           false, true,  0, ReconnectVerdict.Reconnect },
        { ConnectionEndKind.Lost,           false, true,  2, ReconnectVerdict.Reconnect },
        { ConnectionEndKind.Lost,           false, true,  3, ReconnectVerdict.AttemptsExhausted },
        { ConnectionEndKind.Lost,           false, false, 0, ReconnectVerdict.TokenExpired },
        { ConnectionEndKind.Lost,           true,  true,  0, ReconnectVerdict.SessionEnded },
        { ConnectionEndKind.ClosedByServer, true,  true,  0, ReconnectVerdict.SessionEnded },
        { ConnectionEndKind.ClosedByServer, false, true,  0, ReconnectVerdict.ClosedByServer },
        { ConnectionEndKind.ClosedByServer, false, false, 5, ReconnectVerdict.ClosedByServer },
        { ConnectionEndKind.ClosedByClient, false, true,  0, ReconnectVerdict.ClosedByClient },
        { ConnectionEndKind.ClosedByClient, true,  true,  0, ReconnectVerdict.SessionEnded },
        { ConnectionEndKind.Refused,        false, true,  1, ReconnectVerdict.Refused },
        { ConnectionEndKind.Refused,        true,  true,  1, ReconnectVerdict.SessionEnded },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Only_a_lost_connection_with_a_valid_token_and_attempts_left_is_reopened(ConnectionEndKind how, bool sessionEnded, bool tokenValid, int attemptsSoFar, ReconnectVerdict expected)
    {
        var decision = Policy.Decide(how, sessionEnded, tokenValid, attemptsSoFar);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(expected == ReconnectVerdict.Reconnect, decision.ShouldReconnect);
    }

    [Fact]
    public void Zero_attempts_never_reconnects()
    {
        var none = new ReconnectPolicy(0, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

        Assert.Equal(ReconnectVerdict.AttemptsExhausted, none.Decide(ConnectionEndKind.Lost, false, true, 0).Verdict);
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(6, 10000)]
    [InlineData(40, 10000)]
    public void The_wait_doubles_per_attempt_up_to_the_cap(int attempt, double expectedMs)
    {
        Assert.Equal(expectedMs, Policy.DelayBefore(attempt).TotalMilliseconds, precision: 3);
    }

    [Theory]
    [InlineData(0.0, 400)]
    [InlineData(0.8, 400)]
    [InlineData(1.2, 600)]
    [InlineData(5.0, 600)]
    public void Jitter_stays_within_twenty_percent(double jitter, double expectedMs)
    {
        var policy = new ReconnectPolicy(3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), () => jitter);

        Assert.Equal(expectedMs, policy.DelayBefore(1).TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void The_first_reconnect_waits_for_the_next_attempts_delay()
    {
        var decision = Policy.Decide(ConnectionEndKind.Lost, false, true, attemptsSoFar: 1);

        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
    }

    [Theory]
    [InlineData(3_000, 3_000)]
    [InlineData(100, 1_000)]
    [InlineData(60_000, 10_000)]
    public void A_retry_after_the_server_asked_for_is_waited_if_longer_than_the_backoff_and_never_past_the_longest_delay(int retryAfterMs, int expectedMs)
    {
        var decision = Policy.Decide(ConnectionEndKind.Lost, false, true, attemptsSoFar: 1, TimeSpan.FromMilliseconds(retryAfterMs));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), decision.Delay);
    }
}
