using System.Reflection;
using System.Text;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Tests.Streaming;

/// <summary>
/// The one-pass parser against the JsonDocument parser it replaced, message for message: the same
/// event with the same fields, or the same refusal with the same message, for what servers send and
/// for what a broken wire or a careless server makes of it.
/// </summary>
public sealed class EventParserDifferentialTests
{
    private const string SessionId = "sess_default";

    // What the seeds of the fuzz test do not hold: names twice, escaped names, values of the wrong kind, text .NET cannot read.
    private static readonly string[] EdgeCases =
    [
        """{"type":"error","type":"transcript.final","text":"a","text":"b","speaker":"x","speaker":null}""",
        """{"type":"transcript.final","translation":{"text":"uno","language":"es"},"translation":"dos"}""",
        """{"type":"transcript.final","translation":"uno","translation":{"text":"dos","target_language":"fr"}}""",
        """{"type":"transcript.final","translation":{"text":"uno","language":"es"},"translation":{"target_language":"fr"}}""",
        """{"type":"transcript.final","translation":{"text":"uno","text":"dos","language":7,"language":"de"},"translation":5}""",
        """{"type":"transcript.final","translation":{"text":{"a":1},"language":"es"}}""",
        """{"type":"transcript.final","translation":{"text":12.50,"target_language":"fr","nested":{"text":"no"}}}""",
        """{"t\u0079pe":"transcript.final","te\u0078t":"x","translation":{"t\u0065xt":"y","target_language":"fr"},"session\u005fid":"sess\u005fdefault"}""",
        """{"type":"transcript.final","source_language":null,"language":"en","start_ms":"120","end_ms":"abc","text":-0}""",
        """{"type":"transcript.final","start_ms":1e400,"end_ms":"1e400","speaker":1E2,"utterance_id":true}""",
        """{"type":"transcript.final","start_ms":9.2233720368547758E+18,"end_ms":-9e15}""",
        """{"type":"transcript.partial","text":"\ud800"}""",
        """{"type":"session.ready","text":"\ud800","speaker":"\udc00x"}""",
        """{"type":"transcript.final","text":"\ud83d\ude00 caf\u00e9 \u00e9","speaker":"é😀"}""",
        """{"type":"session.ready","session_id":42}""",
        """{"type":"session.ready","session_id":null}""",
        """{"type":"session.ready","session_id":"sess\u005fdefault"}""",
        """{"type":"session.ready","session_id":"sess_default","session_id":"sess_other"}""",
        """{"type":"session.ready","session_id":"\ud800"}""",
        """{"type":""}""",
        """{"type":null}""",
        """{"type":"\u0065rror","code":"c"}""",
        """{"type":"custom\u002ething","x":1}""",
        """{"type":"\ud800"}""",
        """{"type":"audio.output","payload":"AAEC","audio":{"encoding":"opus","sample_rate_hz":48000}}""",
        """{"type":"audio.output","payload":"AAEC","audio":"not an object","encoding":"pcm","sample_rate":"16000"}""",
        """{"type":"audio.output","audio":{"payload":"AAEC"},"audio":{"encoding":"opus"}}""",
        """{"type":"audio.output","audio":{"payload":"AAEC"},"audio":[1,2]}""",
        """{"type":"audio.output","audio":{"payload":"AA\u0041A","sample_rate":"22050","sample_rate_hz":"x"}}""",
        """{"type":"audio.output","audio":{"payload":"###","encoding":"\ud800"}}""",
        """{"type":"audio.output","audio":{"payload":null,"sample_rate_hz":3e9}}""",
        """{"type":"audio.output","audio":{"payload":5,"sample_rate_hz":-1.5}}""",
        """{"type":"error","error":{"code":"rate_limited","message":"slow"},"code":"outer"}""",
        """{"type":"error","error":"flat","code":"outer","message":"m"}""",
        """{"type":"error","error":{"message":null},"error":{"code":7}}""",
        """{"type":"session.ended","reason":{"why":"no"}}""",
        """{"type":"stream.reconnected","gap_ms":1234.5,"attempts":"3","reconnects":2.9,"frames_not_sent":"1e3","lost_because":"server_closed"}""",
        """{"type":"stream.reconnected","gap_ms":-5,"attempts":1e20,"frames_not_sent":-1}""",
        """{"\ud800":1,"type":"session.ready"}""",
        """{"type\u0000":"x","type":"session.ready"}""",
        """{"type":"x"} x""",
        """{"type":"x"}   """,
        """{"type":"x"}{}""",
        """{"type":"x",}""",
        """{"type":"x"/*c*/}""",
        """[{"type":"x"}]""",
        "\"type\"",
        "42",
        "true",
        "false",
        "null",
        "",
        "   ",
        "{",
        "{\"type\":\"x\",\"deep\":" + new string('[', 62) + new string(']', 62) + "}",
        "{\"type\":\"x\",\"deep\":" + new string('[', 63) + new string(']', 63) + "}",
        "{\"type\":\"x\",\"deep\":" + new string('[', 70) + new string(']', 70) + "}",
        "{\"type\":\"x\",\"text\":\"" + new string('a', 5000) + "\"}",
        "{\"type\":\"transcript.final\",\"text\":\"lone \ud800 surrogate\"}",
        "{\"type\":\"transcript.final\",\"text\":\"split \ud83d",
        """{"type":"transcript.final","text":"a \"quoted\" word","speaker":"back\\","utterance_id":"\\"}""",
        """{"type":"transcript.final","text":"\\\"","translation":{"text":"\"","language":"\\u0041"}}""",
        """{"type":"error","error":{"code":"inner","message":"m"},"error":null,"code":"outer"}""",
        """{"type":"audio.output","audio":{"payload":"\ud800AAA"}}""",
        """{"type":"transcript.final","text":"cut \ud83d","speaker":"\udc00\ud800","translation":{"text":"a \\ud800 b \ud800\udc00 c \uDBFF"}}""",
        """{"type":"transcript.partial","t\ud800xt":"name","text":"\ud83d\ud83d\ude00"}""",
        """{"type":"audio.output","audio":{"payload":"\u0041\u0041\u0041\u0041"}}""",
        """{"type":"session.ready","session_id":"séss_ü"}""",
        """{"type":"session.ready","session_id":"s\u00e9ss_\u00fc"}""",
        """{"type":"transcript.final","translation":{"text":"x","deep":""" + new string('[', 61) + new string(']', 61) + "}}",
        """{"type":"transcript.final","translation":{"text":"x","deep":""" + new string('[', 63) + new string(']', 63) + "}}",
        "{\"type\":\"transcript.final\",\"text\":\"" + string.Concat(Enumerable.Repeat("\\u00e9\\n", 120)) + "\"}",
        "{\n  \"type\": \"transcript.final\",\n  \"text\": \"x\",\n  \"speaker\": nul\n}",
        "{\r\n\t\"type\" : \"session.ready\" ,\r\n\t\"session_id\" : \"sess_default\"\r\n}\r\n",
    ];

    // The stream's own session id, against which an event's is compared: one that is not ASCII takes another path.
    private static readonly string[] StreamSessionIds = [SessionId, "séss_ü"];

    // Bytes no string holds: not UTF-8, or a byte order mark in front.
    private static readonly byte[][] ByteCases =
    [
        [.. "{\"type\":\"transcript.final\",\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8],
        [.. "{\"type\":\"session.ready\",\"text\":\""u8, 0xFF, .. "\"}"u8],
        [.. "{\"type\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8],
        [0xEF, 0xBB, 0xBF, .. "{\"type\":\"session.ready\"}"u8],
        [.. "{\"type\":\"audio.output\",\"encoding\":\""u8, 0xF0, 0x9F, 0x98, .. "\"}"u8],
        [.. "{\"type\":\"transcript.final\",\"text\":\"\\u0041"u8, 0xC3, 0x28, .. "\"}"u8],
        [.. "{\"type\":\"session.ready\",\"session_id\":\"sess_"u8, 0xFF, .. "\"}"u8],
        [.. "{\"type\":\"session.ready\",\""u8, 0xFF, .. "type\":\"error\"}"u8],
        [.. "{\"type\":\"session.ready\",\"t"u8, 0xC3, 0xA9, .. "xt\":1}"u8],
    ];

    // Bytes a broken wire puts into a message: not UTF-8 on their own, or a surrogate's encoding.
    private static readonly byte[][] InvalidUtf8 = [[0x80], [0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xF0, 0x9F]];

    [Fact]
    public void The_edge_cases_read_as_they_did_from_text_and_from_bytes()
    {
        foreach (var streamSessionId in StreamSessionIds)
        {
            foreach (var message in EdgeCases)
            {
                AssertSameFromText(message, streamSessionId);
                AssertSameFromBytes(Encoding.UTF8.GetBytes(message), streamSessionId);
            }
            foreach (var bytes in ByteCases)
            {
                AssertSameFromBytes(bytes, streamSessionId);
            }
        }
    }

    [Fact]
    public void Sixty_thousand_mutated_and_random_messages_read_as_they_did()
    {
        var random = new Random(20261202);
        var outcomes = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        for (var i = 0; i < 60_000; i++)
        {
            // Two in five from the seeds servers send, most of which still read after a mutation, two in five from the edge cases, one in five random text.
            var seeds = i % 2 == 0 ? MessageMutator.Seeds : EdgeCases;
            var message = i % 5 == 1 ? MessageMutator.RandomText(random) : MessageMutator.Mutate(seeds[random.Next(seeds.Length)], random);
            var streamSessionId = StreamSessionIds[i % 7 == 0 ? 1 : 0];
            outcomes[AssertSameFromText(message, streamSessionId)]++;
            if (i % 3 == 0)
            {
                AssertSameFromBytes(WithInvalidUtf8(Encoding.UTF8.GetBytes(message), random), streamSessionId);
            }
        }

        // Both outcomes must be common, or the comparison says little about one of them.
        Assert.True(outcomes[true] > 10_000, $"only {outcomes[true]} read");
        Assert.True(outcomes[false] > 10_000, $"only {outcomes[false]} refused");
    }

    /// <summary>Whether the message was read (true) or refused (false), after asserting both parsers agree.</summary>
    private static bool AssertSameFromText(string message, string streamSessionId)
    {
        // Text that is not valid UTF-16 was refused by JsonDocument in its words; the one-pass parser says so in its own.
        if (!IsValidUtf16(message))
        {
            Assert.StartsWith("refused: ", Describe(() => JsonDocumentEventParser.Parse(message, streamSessionId, 7, DateTimeOffset.UnixEpoch)));
            Assert.StartsWith("refused: A stream message could not be read: it is not valid UTF-16 text (",
                Describe(() => EventParser.Parse(message, streamSessionId, 7, DateTimeOffset.UnixEpoch)));
            return false;
        }
        return AssertSame(
            () => JsonDocumentEventParser.Parse(message, streamSessionId, 7, DateTimeOffset.UnixEpoch),
            () => EventParser.Parse(message, streamSessionId, 7, DateTimeOffset.UnixEpoch),
            Encoding.UTF8.GetBytes(message), streamSessionId, $"From text: {message}");
    }

    private static void AssertSameFromBytes(byte[] message, string streamSessionId) => AssertSame(
        () => JsonDocumentEventParser.Parse(message.AsMemory(), streamSessionId, 7, DateTimeOffset.UnixEpoch),
        () => EventParser.Parse(message.AsMemory(), streamSessionId, 7, DateTimeOffset.UnixEpoch),
        message, streamSessionId, $"From bytes: {Convert.ToHexString(message)}");

    private static bool AssertSame(Func<KallglotEvent> reference, Func<KallglotEvent> onePass, byte[] utf8, string streamSessionId, string input)
    {
        var expected = Describe(reference);
        var actual = Describe(onePass);
        if (expected != actual)
        {
            // Two readings differ by choice (EventParserTests). A name whose escapes make no text (a lone surrogate): the
            // JsonDocument parser refused it only when one of its lookups happened to unescape it, the one-pass parser skips it as
            // a name it does not read. A string value holding a lone surrogate escape: the JsonDocument parser refused it, the
            // one-pass parser reads it as U+FFFD. The one-pass reading must then be JsonDocument's of the message with such names
            // renamed to one nobody reads and such escapes written \uFFFD (its JSON apart).
            var renamed = WithUnreadableNamesRenamed(utf8);
            if ((WithLoneSurrogateEscapesReplaced(renamed ?? utf8) ?? renamed) is { } rewritten)
            {
                expected = Describe(() => JsonDocumentEventParser.Parse(rewritten.AsMemory(), streamSessionId, 7, DateTimeOffset.UnixEpoch), withJson: false);
                actual = Describe(onePass, withJson: false);
                input += " (names that make no text renamed, lone surrogate escapes written \\uFFFD, for JsonDocument)";
            }
        }
        Assert.True(expected == actual, $"{input}\nJsonDocument: {expected}\nOne pass:     {actual}");
        return !IsRefusal(actual);
    }

    private static bool IsRefusal(string outcome) => outcome.StartsWith("refused", StringComparison.Ordinal);

    /// <summary>
    /// The message with each \u escape of a surrogate that is not half of a pair written \uFFFD; null when it holds none.
    /// Escapes are taken in order, each whole (so the "u" after an escaped backslash is no escape), and a pair is a high
    /// surrogate's escape directly followed by a low one's. Read as Latin-1, every byte one character, so that bytes that are
    /// not UTF-8 elsewhere in the message stay as they were for both parsers to refuse.
    /// </summary>
    private static byte[]? WithLoneSurrogateEscapesReplaced(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message);
        var escapes = System.Text.RegularExpressions.Regex.Matches(text, @"\\(?:u([0-9a-fA-F]{4})|.)", System.Text.RegularExpressions.RegexOptions.Singleline);
        char? UnitOf(int i) => escapes[i].Groups[1].Success ? (char)Convert.ToUInt16(escapes[i].Groups[1].Value, 16) : null;
        var lone = new List<int>();
        for (var i = 0; i < escapes.Count; i++)
        {
            if (UnitOf(i) is not { } unit || !char.IsSurrogate(unit))
            {
                continue;
            }
            if (char.IsHighSurrogate(unit) && i + 1 < escapes.Count && escapes[i + 1].Index == escapes[i].Index + 6 && UnitOf(i + 1) is { } next && char.IsLowSurrogate(next))
            {
                i++;
                continue;
            }
            lone.Add(i);
        }
        if (lone.Count == 0)
        {
            return null;
        }
        var replaced = new StringBuilder(text);
        foreach (var i in Enumerable.Reverse(lone))
        {
            replaced.Remove(escapes[i].Index, 6).Insert(escapes[i].Index, "\\uFFFD");
        }
        return Encoding.Latin1.GetBytes(replaced.ToString());
    }

    /// <summary>The message with each property name whose escapes make no text renamed; null when it holds none or is not valid JSON.</summary>
    private static byte[]? WithUnreadableNamesRenamed(byte[] message)
    {
        var unreadable = new List<(int Start, int Length)>();
        var reader = new System.Text.Json.Utf8JsonReader(message);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && !CanRead(ref reader))
                {
                    unreadable.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2));
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        if (unreadable.Count == 0)
        {
            return null;
        }
        var renamed = new List<byte>(message);
        foreach (var (start, length) in Enumerable.Reverse(unreadable))
        {
            renamed.RemoveRange(start, length);
            renamed.InsertRange(start, "\"name_not_read\""u8.ToArray());
        }
        return [.. renamed];
    }

    private static bool CanRead(ref System.Text.Json.Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The message, one time in three with bytes that are not UTF-8 put in somewhere.</summary>
    private static byte[] WithInvalidUtf8(byte[] message, Random random)
    {
        if (random.Next(3) != 0)
        {
            return message;
        }
        var position = random.Next(message.Length + 1);
        return [.. message.AsSpan(0, position), .. InvalidUtf8[random.Next(InvalidUtf8.Length)], .. message.AsSpan(position)];
    }

    /// <summary>Every public field of the event as text, or the refusal's message.</summary>
    private static string Describe(Func<KallglotEvent> parse, bool withJson = true)
    {
        KallglotEvent streamEvent;
        try
        {
            streamEvent = parse();
        }
        catch (EventParseException exception)
        {
            return $"refused: {exception.Message} ({exception.InnerException?.GetType().Name})";
        }
        var fields = streamEvent.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.Name != nameof(KallglotEvent.Raw) && (withJson || property.Name != nameof(KallglotEvent.Json)))
            .OrderBy(property => property.Name, StringComparer.Ordinal)
            .Select(property => $"{property.Name}={Format(property.GetValue(streamEvent))}");
        return $"{streamEvent.GetType().Name} {string.Join("; ", fields)}";
    }

    private static string Format(object? value) => value switch
    {
        null => "<null>",
        byte[] bytes => Convert.ToBase64String(bytes),
        TranscriptTranslation translation => $"({Format(translation.Text)}, {Format(translation.Language)})",
        string text => $"\"{text}\"",
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "<none>",
    };

    private static bool IsValidUtf16(string text)
    {
        try
        {
            _ = StrictUtf8.Encoding.GetByteCount(text);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
