using System.Collections.Concurrent;

namespace Kallglot.PowerShell.Completion;

/// <summary>Speakers and session ids seen in this PowerShell process, newest first, for tab completion.</summary>
internal static class SeenValues
{
    private const int Limit = 200;
    private static readonly ConcurrentDictionary<string, DateTimeOffset> Speakers = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, DateTimeOffset> Sessions = new(StringComparer.Ordinal);

    public static void AddSpeaker(string? speaker) => Add(Speakers, speaker);

    public static void AddSession(string? sessionId) => Add(Sessions, sessionId);

    public static IEnumerable<string> SpeakersNewestFirst => Speakers.OrderByDescending(pair => pair.Value).Select(pair => pair.Key);

    public static IEnumerable<string> SessionsNewestFirst => Sessions.OrderByDescending(pair => pair.Value).Select(pair => pair.Key);

    private static void Add(ConcurrentDictionary<string, DateTimeOffset> seen, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }
        seen[value] = DateTimeOffset.UtcNow;
        if (seen.Count > Limit)
        {
            foreach (var oldest in seen.OrderBy(pair => pair.Value).Take(seen.Count - Limit))
            {
                seen.TryRemove(oldest.Key, out _);
            }
        }
    }
}
