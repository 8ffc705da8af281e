namespace Kallglot.Audio;

/// <summary>Where a background send of a file stands.</summary>
public enum BackgroundSendStatus
{
    /// <summary>Still sending.</summary>
    Playing,

    /// <summary>The whole file was sent.</summary>
    Sent,

    /// <summary>Stopped by an error (the stream failed or ended under it).</summary>
    Failed,

    /// <summary>Stopped on request, or because its stream was closed.</summary>
    Cancelled,
}
