namespace Kallglot.Streaming.Events;

/// <summary><c>error</c>: the server (or, with <see cref="KallglotEvent.FromClient"/>, the client) reports a problem; the stream goes on.</summary>
public sealed class StreamErrorEvent : KallglotEvent
{
    /// <summary>A stable code such as <c>invalid_sequence</c>.</summary>
    public string Code { get; internal set; } = "stream_error";

    /// <summary>What happened.</summary>
    public string Message { get; internal set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"error [{Code}]: {Message}";
}
