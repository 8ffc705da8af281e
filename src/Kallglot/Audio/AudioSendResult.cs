namespace Kallglot.Audio;

/// <summary>What a finished send did.</summary>
public sealed class AudioSendResult
{
    /// <summary>The session the audio went to.</summary>
    public required string SessionId { get; init; }

    /// <summary>The file sent.</summary>
    public required string Path { get; init; }

    /// <summary>The file's own format.</summary>
    public required string SourceFormat { get; init; }

    /// <summary>The speaker label the frames carried.</summary>
    public required string Speaker { get; init; }

    /// <summary>Frames sent.</summary>
    public long Frames { get; init; }

    /// <summary>Mu-law payload bytes sent.</summary>
    public long Bytes { get; init; }

    /// <summary>Audio time sent.</summary>
    public TimeSpan AudioDuration { get; init; }

    /// <summary>Wall-clock time the send took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>True when frames were paced in real time.</summary>
    public bool Paced { get; init; }

    /// <summary>Sequence number of the first frame.</summary>
    public long FirstSequence { get; init; }

    /// <summary>Sequence number of the last frame.</summary>
    public long LastSequence { get; init; }

    /// <summary>When paced: the largest lateness of a frame against its schedule.</summary>
    public TimeSpan MaxLateness { get; init; }

    /// <summary>When paced: how far each frame left from its schedule, early or late (p50, p99, max); null when not paced.</summary>
    public Kallglot.Pacing.PacingDeviation? Pacing { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Frames} frames ({AudioDuration.TotalSeconds:0.0} s of audio) in {Elapsed.TotalSeconds:0.0} s";
}
