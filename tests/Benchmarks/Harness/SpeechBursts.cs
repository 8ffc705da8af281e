using Kallglot.Audio;

namespace Kallglot.Benchmarks.Harness;

/// <summary>Speech-like audio for paced streams: an utterance every two seconds, so transcripts and translated audio come back.</summary>
internal static class SpeechBursts
{
    public static async Task<string> WriteAsync(string folder, TimeSpan duration)
    {
        var path = Path.Combine(folder, $"bursts-{duration.TotalSeconds:0}s.ulaw");
        if (!File.Exists(path))
        {
            await File.WriteAllBytesAsync(path, Create(duration));
        }
        return path;
    }

    private static byte[] Create(TimeSpan duration)
    {
        // One second of a 1 kHz tone, one second of silence, repeated.
        var samples = (int)(duration.TotalSeconds * 8000);
        var audio = new byte[samples];
        for (var n = 0; n < samples; n++)
        {
            var speaking = n / 8000 % 2 == 0;
            audio[n] = speaking ? MuLaw.Encode((short)(8000 * Math.Sin(2 * Math.PI * 1000 * n / 8000))) : (byte)0xFF;
        }
        return audio;
    }
}
