namespace Kallglot.Streaming.Lifecycle;

/// <summary>The reconnect policy's answer: a verdict and, for <see cref="ReconnectVerdict.Reconnect"/>, how long to wait first.</summary>
public readonly record struct ReconnectDecision(ReconnectVerdict Verdict, TimeSpan Delay)
{
    /// <summary>True when a new connection should be opened.</summary>
    public bool ShouldReconnect => Verdict == ReconnectVerdict.Reconnect;
}
