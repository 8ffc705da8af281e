namespace Kallglot.Audio;

/// <summary>How far a send has got.</summary>
/// <param name="FramesSent">Frames sent so far.</param>
/// <param name="TotalFrames">Frames the whole file makes.</param>
/// <param name="AudioSent">Audio time sent so far.</param>
/// <param name="AudioTotal">The file's audio length.</param>
/// <param name="Elapsed">Wall-clock time since the send started.</param>
public sealed record AudioSendProgress(long FramesSent, long TotalFrames, TimeSpan AudioSent, TimeSpan AudioTotal, TimeSpan Elapsed)
{
    /// <summary>Percent done, 0-100.</summary>
    public int Percent => TotalFrames == 0 ? 100 : (int)Math.Min(100, FramesSent * 100 / TotalFrames);

    /// <summary>Estimated time left: real time when paced, else extrapolated from the rate so far.</summary>
    public TimeSpan Remaining(bool paced)
    {
        if (paced)
        {
            return AudioTotal > AudioSent ? AudioTotal - AudioSent : TimeSpan.Zero;
        }
        if (FramesSent == 0)
        {
            return TimeSpan.Zero;
        }
        var perFrame = Elapsed.TotalSeconds / FramesSent;
        return TimeSpan.FromSeconds(perFrame * Math.Max(0, TotalFrames - FramesSent));
    }
}
