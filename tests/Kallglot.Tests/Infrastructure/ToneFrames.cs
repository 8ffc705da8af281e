using Kallglot.Audio;

namespace Kallglot.Tests.Infrastructure;

/// <summary>Mu-law frames of a tone followed by silence: what the emulator's voice detection hears as one utterance.</summary>
internal static class ToneFrames
{
    public const int SamplesPerFrame = 160;

    public static IEnumerable<byte[]> Utterance(TimeSpan speech, TimeSpan silence, double frequencyHz = 1000, double amplitude = 8000)
    {
        var speechFrames = (int)(speech.TotalMilliseconds / 20);
        var silenceFrames = (int)(silence.TotalMilliseconds / 20);
        var sampleIndex = 0;
        for (var frame = 0; frame < speechFrames + silenceFrames; frame++)
        {
            var payload = new byte[SamplesPerFrame];
            for (var i = 0; i < SamplesPerFrame; i++, sampleIndex++)
            {
                var sample = frame < speechFrames ? amplitude * Math.Sin(2 * Math.PI * frequencyHz * sampleIndex / 8000.0) : 0;
                payload[i] = MuLaw.Encode((short)sample);
            }
            yield return payload;
        }
    }
}
