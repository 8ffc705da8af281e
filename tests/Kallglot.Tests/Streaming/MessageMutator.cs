using System.Text;

namespace Kallglot.Tests.Streaming;

/// <summary>Stream messages as a server might send them, and broken in the ways a wire or a careless server breaks them: for the parser's fuzz tests.</summary>
internal static class MessageMutator
{
    public static readonly string[] Seeds =
    [
        """{"type":"transcript.final","speaker":"caller","text":"Hello","translation":{"text":"Hola","language":"es"},"start_ms":120,"end_ms":980}""",
        """{"type":"transcript.partial","speaker":"agent","text":"How can","utterance_id":"u1"}""",
        """{"type":"audio.output","utterance_id":"u1","audio":{"encoding":"mulaw","sample_rate_hz":8000,"payload":"//////8="}}""",
        """{"type":"session.ended","reason":"client_closed","session_id":"sess_1"}""",
        """{"type":"error","code":"invalid_sequence","message":"Sequence 3 is not greater than 4","sequence":3}""",
        """{"type":"session.ready","session_id":"sess_1","timestamp_ms":1795608300000}""",
        """{"type":"something.new","nested":{"deep":[1,2,{"x":null}]},"n":-1.5e300}""",
    ];

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "-", "1e999", "\\u0000", "\\ud800", "\"type\"", "\"translation\"",
        "\"audio\"", "\"payload\"", "\"sample_rate_hz\"", "NaN", "9223372036854775808", "\"start_ms\"", "{\"text\":5}", "\u00e9", "\ud83d\ude00",
        "\n", "\\\"", "\\\\", "\"session_id\"",
    ];

    public static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var position = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0 when text.Length > 0 && position < text.Length:
                    text.Remove(position, Math.Min(random.Next(1, 6), text.Length - position));
                    break;
                case 1:
                    text.Insert(position, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2 when text.Length > 0 && position < text.Length:
                    text[position] = (char)random.Next(32, 127);
                    break;
                case 3:
                    // A value swapped for another type: a string where a number or object was, and so on.
                    var replaced = text.ToString().Replace("\"Hello\"", random.Next(2) == 0 ? "42" : "{\"a\":[]}", StringComparison.Ordinal)
                        .Replace("8000", random.Next(2) == 0 ? "\"8000\"" : "-8000", StringComparison.Ordinal)
                        .Replace("{\"text\":\"Hola\"", "{\"text\":null", StringComparison.Ordinal);
                    text.Clear().Append(replaced);
                    break;
                default:
                    text.Append(Fragments[random.Next(Fragments.Length)]);
                    break;
            }
        }
        return text.ToString();
    }

    public static string RandomText(Random random)
    {
        var length = random.Next(0, 80);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(4) == 0 ? Fragments[random.Next(Fragments.Length)] : ((char)random.Next(32, 127)).ToString());
        }
        return builder.ToString();
    }
}
