using System.Runtime.CompilerServices;
using Kallglot.Audio;
using Kallglot.Streaming;

namespace Kallglot.PowerShell.Streaming;

/// <summary>
/// The WAV file each stream's translated audio goes to, kept across Receive-KallglotStream calls:
/// a receive stopped with Ctrl+C and started again with the same path goes on writing the same file,
/// and once the file is closed the path is remembered, so a later receive never truncates it.
/// </summary>
internal static class AudioOutputFiles
{
    private static readonly ConditionalWeakTable<KallglotStream, Entry> Entries = new();
    private static readonly object Gate = new();

    /// <summary>The writer for <paramref name="path"/> on <paramref name="stream"/>; null when that file is already complete.</summary>
    /// <exception cref="Kallglot.Errors.KallglotException">Another file exists at the path and <paramref name="replace"/> is not set, or it cannot be written.</exception>
    public static WaveOutputWriter? For(KallglotStream stream, string path, bool replace)
    {
        lock (Gate)
        {
            if (Entries.TryGetValue(stream, out var entry))
            {
                if (string.Equals(entry.Path, path, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                {
                    return entry.Writer;
                }
                entry.Writer?.Dispose();
                Entries.Remove(stream);
            }
            var writer = new WaveOutputWriter(path, replace);
            Entries.Add(stream, new Entry(path, writer));
            return writer;
        }
    }

    /// <summary>Closes the stream's file; its path stays known to the stream.</summary>
    public static void Close(KallglotStream stream)
    {
        lock (Gate)
        {
            if (Entries.TryGetValue(stream, out var entry) && entry.Writer is { } writer)
            {
                writer.Dispose();
                Entries.AddOrUpdate(stream, entry with { Writer = null });
            }
        }
    }

    private sealed record Entry(string Path, WaveOutputWriter? Writer);
}
