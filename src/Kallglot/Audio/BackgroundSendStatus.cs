namespace Kallglot.Audio;

/// <summary>Where a background send of a file stands.</summary>
public enum BackgroundSendStatus
{
    /// <summary>Still sending.</summary>
    Playing,

    /// <summary>The whole file was sent.</summary>
    Sent,

    /// <summary>
    /// Stopped by an error of its own while its stream lived on (a frame that could not be sent through a reconnection
    /// that took too long); the stream also reports it as an audio_send_failed error event.
    /// </summary>
    Failed,

    /// <summary>Stopped by <see cref="BackgroundAudioSend.Cancel"/>, or because its stream was closed, its session ended or the stream failed (the stream reports that).</summary>
    Cancelled,
}
