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
    ];

    // Bytes no string holds: not UTF-8, or a byte order mark in front.
    private static readonly byte[][] ByteCases =
    [
        [.. "{\"type\":\"transcript.final\",\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8],
        [.. "{\"type\":\"session.ready\",\"text\":\""u8, 0xFF, .. "\"}"u8],
        [.. "{\"type\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8],
        [0xEF, 0xBB, 0xBF, .. "{\"type\":\"session.ready\"}"u8],
        [.. "{\"type\":\"audio.output\",\"encoding\":\""u8, 0xF0, 0x9F, 0x98, .. "\"}"u8],
    ];

    [Fact]
    public void The_edge_cases_read_as_they_did_from_text_and_from_bytes()
    {
        foreach (var message in EdgeCases)
        {
            AssertSameFromText(message);
            AssertSameFromBytes(Encoding.UTF8.GetBytes(message));
        }
        foreach (var bytes in ByteCases)
        {
            AssertSameFromBytes(bytes);
        }
    }

    [Fact]
    public void Sixty_thousand_mutated_messages_read_as_they_did()
    {
        var random = new Random(20261202);
        var outcomes = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        for (var i = 0; i < 60_000; i++)
        {
            // Half from the seeds servers send, most of which still read after a mutation; the rest random or from the edge cases.
            var seeds = i % 2 == 0 ? MessageMutator.Seeds : EdgeCases;
            var message = i % 5 == 1 ? MessageMutator.RandomText(random) : MessageMutator.Mutate(seeds[random.Next(seeds.Length)], random);
            outcomes[AssertSameFromText(message)]++;
            if (i % 3 == 0)
            {
                AssertSameFromBytes(Encoding.UTF8.GetBytes(message));
            }
        }

        // Both outcomes must be common, or the comparison says little about one of them.
        Assert.True(outcomes[true] > 10_000, $"only {outcomes[true]} read");
        Assert.True(outcomes[false] > 10_000, $"only {outcomes[false]} refused");
    }

    /// <summary>Whether the message was read (true) or refused (false), after asserting both parsers agree.</summary>
    private static bool AssertSameFromText(string message)
    {
        var expected = Describe(() => JsonDocumentEventParser.Parse(message, SessionId, 7, DateTimeOffset.UnixEpoch));
        var actual = Describe(() => EventParser.Parse(message, SessionId, 7, DateTimeOffset.UnixEpoch));
        // Text that is not valid UTF-16 is refused by both, each in its own words.
        if (!IsValidUtf16(message) && IsRefusal(expected))
        {
            Assert.StartsWith("refused: A stream message could not be read", actual);
            return false;
        }
        return AssertSame(expected, actual, Encoding.UTF8.GetBytes(message), $"From text: {message}");
    }

    private static void AssertSameFromBytes(byte[] message)
    {
        var expected = Describe(() => JsonDocumentEventParser.Parse(message.AsMemory(), SessionId, 7, DateTimeOffset.UnixEpoch));
        var actual = Describe(() => EventParser.Parse(message.AsMemory(), SessionId, 7, DateTimeOffset.UnixEpoch));
        AssertSame(expected, actual, message, $"From bytes: {Convert.ToHexString(message)}");
    }

    private static bool AssertSame(string expected, string actual, byte[] utf8, string input)
    {
        // The JsonDocument parser refused a name that cannot be unescaped only when one of its lookups happened to unescape it;
        // the one-pass parser always skips it, as a name it does not read (EventParserTests).
        if (expected.Contains("holds text that cannot be read", StringComparison.Ordinal) && HasUnreadableName(utf8))
        {
            return false;
        }
        Assert.True(expected == actual, $"{input}\nJsonDocument: {expected}\nOne pass:     {actual}");
        return !IsRefusal(expected);
    }

    private static bool IsRefusal(string outcome) => outcome.StartsWith("refused", StringComparison.Ordinal);

    /// <summary>Every public field of the event as text, or the refusal's message.</summary>
    private static string Describe(Func<KallglotEvent> parse)
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
            .Where(property => property.Name != nameof(KallglotEvent.Raw))
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

    private static bool HasUnreadableName(byte[] message)
    {
        var reader = new System.Text.Json.Utf8JsonReader(message);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                {
                    try
                    {
                        _ = reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        return true;
                    }
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return false;
    }

    private static bool IsValidUtf16(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(text);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
