namespace Kallglot.Streaming.Connection;

/// <summary>What every connection of a stream is opened with.</summary>
internal sealed record WebSocketConnectionSettings(TimeSpan KeepAliveInterval, int MaxMessageBytes);
