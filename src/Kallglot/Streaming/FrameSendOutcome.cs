namespace Kallglot.Streaming;

/// <summary>How the send of an audio frame that was handed the socket ended.</summary>
internal enum FrameSendOutcome
{
    /// <summary>The frame went out.</summary>
    Sent,

    /// <summary>The connection broke under the send, or was lost and replaced before it ended: the frame counts as not sent.</summary>
    Broken,

    /// <summary>The caller cancelled the send: neither sent nor counted, unless its connection's gap counted it.</summary>
    Cancelled,
}
