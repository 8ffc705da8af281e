using Kallglot.Emulator.Sessions;

namespace Kallglot.Emulator.Streaming;

/// <summary>
/// What each utterance "says": the scripted texts and translations in turn, or generated ones. A
/// speaker's utterance keeps its id and words from its first partial to its final.
/// </summary>
internal sealed class UtteranceScript
{
    private readonly Dictionary<string, (string Id, ScriptedUtterance Words)> _current = new(StringComparer.Ordinal);
    private readonly EmulatedSession _session;
    private readonly IList<ScriptedUtterance> _script;

    public UtteranceScript(EmulatedSession session, IList<ScriptedUtterance> script)
    {
        _session = session;
        _script = script;
    }

    private string Target => _session.TargetLanguage ?? "es";

    /// <summary>The words shown so far after <paramref name="speechBlocks"/> blocks of 20 ms of speech.</summary>
    public (string UtteranceId, string Text) Partial(string speaker, int speechBlocks)
    {
        var (id, words) = Current(speaker);
        var all = words.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var shown = Math.Clamp(speechBlocks / 25 * 3, 1, Math.Max(1, all.Length - 1));
        return (id, string.Join(' ', all.Take(shown)));
    }

    /// <summary>The final text and translation of the speaker's utterance, which ends here.</summary>
    public (string UtteranceId, string Text, string Translation) Final(string speaker, TimeSpan length)
    {
        var (id, words) = Current(speaker);
        _current.Remove(speaker);
        return _script.Count > 0
            ? (id, words.Text, words.Translation)
            : (id, $"{words.Text}, {length.TotalSeconds:0.00} s", $"{words.Translation}, {length.TotalSeconds:0.00} s");
    }

    private (string Id, ScriptedUtterance Words) Current(string speaker)
    {
        if (_current.TryGetValue(speaker, out var current))
        {
            return current;
        }
        var number = Interlocked.Increment(ref _session.UtteranceCount);
        var words = _script.Count > 0
            ? _script[(number - 1) % _script.Count]
            : new ScriptedUtterance($"utterance {number} from {speaker}", $"[{Target}] utterance {number} from {speaker}");
        current = ($"utt_{number}", words);
        _current[speaker] = current;
        return current;
    }
}
