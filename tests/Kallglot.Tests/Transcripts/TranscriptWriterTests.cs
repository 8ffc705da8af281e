using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Transcripts;

namespace Kallglot.Tests.Transcripts;

public sealed class TranscriptWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kallglot-transcripts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TranscriptFinalEvent Final(string json, DateTimeOffset receivedAt) =>
        (TranscriptFinalEvent)EventParser.Parse(json, "sess_t", 1, receivedAt);

    [Theory]
    [InlineData("call.srt", TranscriptFormat.Srt)]
    [InlineData("call.VTT", TranscriptFormat.Vtt)]
    [InlineData("call.csv", TranscriptFormat.Csv)]
    [InlineData("call.ndjson", TranscriptFormat.Jsonl)]
    [InlineData("call.txt", TranscriptFormat.Txt)]
    [InlineData("call.doc", null)]
    public void The_extension_names_the_format(string name, TranscriptFormat? format) => Assert.Equal(format, TranscriptWriter.FormatFor(name));

    [Fact]
    public void Without_server_timing_cues_end_when_the_final_arrived_and_never_overlap()
    {
        var path = Path.Combine(_folder, "estimated.srt");
        var start = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var writer = TranscriptWriter.Create(path, TranscriptFormat.Srt))
        {
            writer.Write(Final("""{"type":"transcript.final","speaker":"caller","text":"one"}""", start));
            writer.Write(Final("""{"type":"transcript.final","speaker":"agent","text":"two"}""", start.AddSeconds(1)));
        }

        var lines = File.ReadAllLines(path);

        Assert.Equal("00:00:00,000 --> 00:00:02,000", lines[1]);
        Assert.Equal("00:00:02,000 --> 00:00:03,000", lines[5]);
    }

    [Fact]
    public void Each_entry_is_on_disk_as_soon_as_it_is_written()
    {
        var path = Path.Combine(_folder, "live.jsonl");
        using var writer = TranscriptWriter.Create(path, TranscriptFormat.Jsonl);

        writer.Write(Final("""{"type":"transcript.final","text":"hello","translation":{"text":"hola","language":"es"}}""", DateTimeOffset.UtcNow));
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));

        Assert.Contains("\"translation\":\"hola\"", reader.ReadToEnd());
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void Csv_quotes_every_field_so_commas_and_quotes_survive()
    {
        var path = Path.Combine(_folder, "quoted.csv");
        using (var writer = TranscriptWriter.Create(path, TranscriptFormat.Csv))
        {
            writer.Write(Final("""{"type":"transcript.final","speaker":"caller","text":"Hello, \"friend\"","start_ms":0,"end_ms":900}""", DateTimeOffset.UtcNow));
        }

        Assert.EndsWith("\"caller\",\"Hello, \"\"friend\"\"\",\"\",\"\"", File.ReadAllLines(path)[1]);
    }

    [Fact]
    public void Vtt_escapes_markup_in_the_words()
    {
        var path = Path.Combine(_folder, "markup.vtt");
        using (var writer = TranscriptWriter.Create(path, TranscriptFormat.Vtt))
        {
            writer.Write(Final("""{"type":"transcript.final","speaker":"a<b","text":"x < y & z","start_ms":0,"end_ms":500}""", DateTimeOffset.UtcNow));
        }

        Assert.Contains("<v a&lt;b>x &lt; y &amp; z", File.ReadAllText(path));
    }

    [Fact]
    public void Server_times_in_unix_milliseconds_count_from_the_first_of_them()
    {
        var path = Path.Combine(_folder, "epoch.srt");
        using (var writer = TranscriptWriter.Create(path, TranscriptFormat.Srt))
        {
            writer.Write(Final("""{"type":"transcript.final","text":"one","start_ms":1764720000000,"end_ms":1764720001500}""", DateTimeOffset.UtcNow));
            writer.Write(Final("""{"type":"transcript.final","text":"two","start_ms":1764720004000,"end_ms":1764720005250}""", DateTimeOffset.UtcNow));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal("00:00:00,000 --> 00:00:01,500", lines[1]);
        Assert.Equal("00:00:04,000 --> 00:00:05,250", lines[5]);
    }

    [Fact]
    public void A_server_time_before_the_call_begins_is_clamped_to_its_start()
    {
        var path = Path.Combine(_folder, "negative.srt");
        using (var writer = TranscriptWriter.Create(path, TranscriptFormat.Srt))
        {
            writer.Write(Final("""{"type":"transcript.final","text":"early","start_ms":-500,"end_ms":700}""", DateTimeOffset.UtcNow));
        }

        Assert.Equal("00:00:00,000 --> 00:00:00,700", File.ReadAllLines(path)[1]);
    }

    [Theory]
    [InlineData(TranscriptFormat.Srt, "call.srt")]
    [InlineData(TranscriptFormat.Vtt, "call.vtt")]
    [InlineData(TranscriptFormat.Txt, "call.txt")]
    public void Line_breaks_in_the_words_never_split_an_entry(TranscriptFormat format, string name)
    {
        var path = Path.Combine(_folder, name);
        using (var writer = TranscriptWriter.Create(path, format))
        {
            writer.Write(Final("""{"type":"transcript.final","speaker":"caller","text":"first\n\nsecond ---> third","translation":{"text":"uno\r\ndos"},"start_ms":0,"end_ms":900}""", DateTimeOffset.UtcNow));
            writer.Write(Final("""{"type":"transcript.final","speaker":"agent","text":"next","start_ms":1000,"end_ms":1500}""", DateTimeOffset.UtcNow));
        }

        var text = File.ReadAllText(path);

        Assert.Contains("first second", text);
        Assert.Contains("uno dos", text);
        // A subtitle player could take an arrow in the words for a timing line; plain text keeps it.
        Assert.Equal(format == TranscriptFormat.Txt, text.Contains("second --->", StringComparison.Ordinal));
        Assert.Equal(format == TranscriptFormat.Srt, text.Contains("second -> third", StringComparison.Ordinal));
        // Entries are separated by blank lines in SRT and VTT: the first entry's words add none.
        Assert.Equal(format == TranscriptFormat.Txt ? 3 : 9, File.ReadAllLines(path).Length);
    }
}
