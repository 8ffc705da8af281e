using System.Text;
using Kallglot.Recordings;
using Kallglot.Streaming.Events;
using Kallglot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Kallglot.Tests.Recordings;

[Collection(SoakCollection.Name)]
public sealed class RecordingReaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kallglot-recordings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Line(long index, string frame, string direction = "in") =>
        $$"""{"at":"2026-11-25T10:00:00.1234567+00:00","direction":"{{direction}}","session":"sess_r","index":{{index}},"frame":{{frame}}}""";

    [Fact]
    public void Events_come_back_with_their_index_time_session_and_verbatim_json_and_sent_frames_are_skipped()
    {
        var path = Path.Combine(_folder, "call.jsonl");
        File.WriteAllLines(path,
        [
            Line(1, """{"type":"session.ready"}"""),
            Line(0, """{"type":"audio.input","sequence":1}""", "out"),
            Line(2, """{"type":"transcript.final", "text":"hi \u00e9"}"""),
            Line(3, """{"type":"error","code":"message_too_large","message":"skipped","source":"client"}""", "client"),
            Line(4, "\"{\\\"type\\\": broken\""),
        ]);

        var entries = RecordingReader.Read(path).ToList();

        Assert.Equal([1L, 2, 3, 4], entries.Select(entry => entry.Event!.Index));
        var final = Assert.IsType<TranscriptFinalEvent>(entries[1].Event);
        Assert.Equal("""{"type":"transcript.final", "text":"hi \u00e9"}""", final.Json);
        Assert.Equal("hi é", final.Text);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), final.ReceivedAt);
        Assert.Equal("sess_r", final.SessionId);
        Assert.True(Assert.IsType<StreamErrorEvent>(entries[2].Event).FromClient);
        Assert.Equal("malformed_event", Assert.IsType<StreamErrorEvent>(entries[3].Event).Code);
    }

    [Fact]
    public void A_last_line_cut_short_is_truncated_and_any_other_bad_line_is_damaged()
    {
        var path = Path.Combine(_folder, "cut.jsonl");
        File.WriteAllText(path, Line(1, """{"type":"session.ready"}""") + "\nnot json\n" + Line(2, """{"type":"session.ready"}""") + "\n" + Line(3, """{"type":"transcript.fi""").Substring(0, 60));

        var entries = RecordingReader.Read(path).ToList();

        Assert.Equal(4, entries.Count);
        Assert.Equal((2L, false), (entries[1].LineNumber, entries[1].Truncated));
        Assert.NotNull(entries[1].Damage);
        Assert.Equal((4L, true), (entries[3].LineNumber, entries[3].Truncated));
    }

    [Fact]
    public void The_last_of_a_name_given_twice_counts_and_a_frame_that_is_not_an_object_is_judged_as_it_was_live()
    {
        var path = Path.Combine(_folder, "shapes.jsonl");
        File.WriteAllLines(path,
        [
            """{"at":"2026-11-25T10:00:00+00:00","direction":"out","direction":"in","session":"a","session":"sess_r","index":1,"index":9,"frame":{"type":"session.ended"},"frame":{"type":"session.ready"}}""",
            """{"at":"2026-11-25T10:00:00+00:00","direction":"in","index":10,"frame":[1,2]}""",
            """{"at":"2026-11-25T10:00:00+00:00","direction":"in","index":"x","frame":5}""",
            """{"at":"2026-11-25T10:00:00+00:00","direction":"in","frame":  {"type":"transcript.final","text":"a \"}\" b"}  ,"index":12}""",
            """{"at":"2026-11-25T10:00:00+00:00","direction":"in","index":13,"frame":true}""",
            """{"at":"2026-11-25T10:00:00+00:00","direction":"in","index":14,"frame":{}}""",
        ]);

        var entries = RecordingReader.Read(path).ToList();

        var ready = Assert.IsType<SessionReadyEvent>(entries[0].Event);
        Assert.Equal((9L, "sess_r"), (ready.Index, ready.SessionId));
        Assert.Equal("""{"type":"session.ready"}""", ready.Json);
        Assert.Equal((10L, "malformed_event"), (entries[1].Event!.Index, Assert.IsType<StreamErrorEvent>(entries[1].Event).Code));
        Assert.Equal((11L, "malformed_event"), (entries[2].Event!.Index, Assert.IsType<StreamErrorEvent>(entries[2].Event).Code));
        // A frame's bytes are exactly its own: a number or true alone is refused as not an object, not for what follows it in the line.
        Assert.Contains("not an object (it is Number)", ((StreamErrorEvent)entries[2].Event!).Message);
        var final = Assert.IsType<TranscriptFinalEvent>(entries[3].Event);
        Assert.Equal(("""{"type":"transcript.final","text":"a \"}\" b"}""", "a \"}\" b", 12L), (final.Json, final.Text, final.Index));
        Assert.Contains("not an object (it is True)", Assert.IsType<StreamErrorEvent>(entries[4].Event).Message);
        Assert.Contains("has no 'type'", Assert.IsType<StreamErrorEvent>(entries[5].Event).Message);
    }

    [Theory]
    [InlineData("""{"direction":"in","frame":{"type":"session.ready"}}""", "'at'")]
    [InlineData("""{"at":"2026-11-25T10:00:00+00:00","direction":"in"}""", "'frame'")]
    [InlineData("""{"at":"2026-11-25T10:00:00+00:00","frame":{"type":"session.ready"}}""", "'direction'")]
    [InlineData("""{"at":"yesterday","direction":"in","frame":{"type":"session.ready"}}""", "DateTimeOffset")]
    [InlineData("""{"at":{"when":"now"},"direction":"in","frame":{"type":"session.ready"}}""", "'at'")]
    [InlineData("""[{"direction":"in"}]""", "not an object")]
    public void A_line_without_what_every_line_holds_is_damaged_and_says_what_is_missing(string line, string saying)
    {
        var path = Path.Combine(_folder, "missing.jsonl");
        File.WriteAllLines(path, [line, Line(1, """{"type":"session.ready"}""")]);

        var entries = RecordingReader.Read(path).ToList();

        Assert.Null(entries[0].Event);
        Assert.Contains(saying, entries[0].Damage);
        Assert.False(entries[0].Truncated);
        Assert.IsType<SessionReadyEvent>(entries[1].Event);
    }

    [Fact]
    public void A_large_recording_is_read_with_memory_that_does_not_grow_with_it()
    {
        var path = Path.Combine(_folder, "large.jsonl");
        const int events = 300_000;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            for (var i = 1; i <= events; i++)
            {
                writer.Write(Line(i, $$$"""{"type":"transcript.final","speaker":"caller","text":"utterance {{{i}}} of a long call, with a few more words to make the line longer","translation":{"text":"frase {{{i}}}","language":"es"}}"""));
                writer.Write('\n');
            }
        }
        var size = new FileInfo(path).Length;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long count = 0;
        long highest = 0;

        foreach (var entry in RecordingReader.Read(path))
        {
            count++;
            if (count % 50_000 == 0)
            {
                highest = Math.Max(highest, GC.GetTotalMemory(forceFullCollection: true) - before);
            }
        }
        output.WriteLine($"{size / 1048576.0:0} MB recording, {count:N0} events: the heap grew at most {highest / 1048576.0:0.0} MB while reading");

        Assert.Equal(events, count);
        Assert.True(highest < size / 10, $"heap grew {highest} bytes for a {size}-byte file");
    }
}
