using System.Runtime.CompilerServices;
using Kallglot.Audio;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// The WAV file each stream's translated audio goes to, kept across Receive-KallglotStream calls so
/// that a receive stopped with Ctrl+C and started again keeps appending to the same file.
/// </summary>
internal static class AudioOutputFiles
{
    private static readonly ConditionalWeakTable<KallglotStream, WaveOutputWriter> Writers = new();
    private static readonly object Gate = new();

    public static WaveOutputWriter For(KallglotStream stream, string path)
    {
        lock (Gate)
        {
            if (Writers.TryGetValue(stream, out var existing))
            {
                if (string.Equals(existing.Path, path, StringComparison.Ordinal))
                {
                    return existing;
                }
                existing.Dispose();
                Writers.Remove(stream);
            }
            var writer = new WaveOutputWriter(path);
            Writers.Add(stream, writer);
            return writer;
        }
    }

    public static void Close(KallglotStream stream)
    {
        lock (Gate)
        {
            if (Writers.TryGetValue(stream, out var writer))
            {
                writer.Dispose();
                Writers.Remove(stream);
            }
        }
    }
}
