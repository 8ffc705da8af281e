namespace Kallglot.Streaming.Events;

/// <summary><c>audio.output</c>: a piece of translated audio.</summary>
public sealed class AudioOutputEvent : KallglotEvent
{
    /// <summary>The encoding, normally <c>mulaw</c>.</summary>
    public string Encoding { get; internal set; } = "mulaw";

    /// <summary>Samples per second, normally 8000.</summary>
    public int SampleRateHz { get; internal set; } = 8000;

    /// <summary>The audio bytes, decoded from base64.</summary>
    public byte[] Payload { get; internal set; } = [];

    /// <summary>The utterance it translates, when the server says.</summary>
    public string? UtteranceId { get; internal set; }

    /// <summary>How long the audio lasts (one byte per sample for G.711).</summary>
    public TimeSpan Duration => SampleRateHz > 0 ? TimeSpan.FromSeconds((double)Payload.Length / SampleRateHz) : TimeSpan.Zero;

    /// <summary>Set once the audio has been written to an output file.</summary>
    internal bool Delivered { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"audio.output {Payload.Length} bytes";
}
