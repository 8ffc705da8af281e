using Kallglot.Audio;
using Kallglot.Errors;
using Kallglot.Files;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Kallglot.Transcripts;

namespace Kallglot.Tests.Files;

public sealed class OutputFileTests : IDisposable
{
    private const string Precious = "a file the user already had";
    private readonly string _folder = Directory.CreateTempSubdirectory("kallglot-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Existing(string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, Precious);
        return path;
    }

    private static TranscriptFinalEvent Final(string text) =>
        (TranscriptFinalEvent)EventParser.Parse($$"""{"type":"transcript.final","speaker":"caller","text":"{{text}}","start_ms":0,"end_ms":1000}""", "s", 1, DateTimeOffset.UtcNow);

    [Fact]
    public void Every_writer_refuses_an_existing_file_and_leaves_it_as_it_was()
    {
        var errors = new[]
        {
            Assert.Throws<KallglotException>(() => new WaveOutputWriter(Existing("a.wav"))),
            Assert.Throws<KallglotException>(() => TranscriptWriter.Create(Existing("a.srt"), TranscriptFormat.Srt)),
            Assert.Throws<KallglotException>(() => OutputFile.Open(Existing("a.jsonl"), OutputFileMode.CreateNew, "the recording", "record_path_unwritable")),
        };

        Assert.All(errors, error => Assert.Equal(("output_file_exists", KallglotErrorKind.Conflict), (error.ErrorId, error.Kind)));
        Assert.All(new[] { "a.wav", "a.srt", "a.jsonl" }, name => Assert.Equal(Precious, File.ReadAllText(Path.Combine(_folder, name))));
        Assert.Contains("-Append", errors[1].Message);
        Assert.DoesNotContain("-Append", errors[0].Message);
    }

    [Fact]
    public void Appending_to_a_subrip_file_numbers_on_from_its_last_cue()
    {
        var path = Path.Combine(_folder, "call.srt");
        using (var first = TranscriptWriter.Create(path, TranscriptFormat.Srt))
        {
            first.Write(Final("one"));
            first.Write(Final("two"));
        }
        using (var more = TranscriptWriter.Create(path, TranscriptFormat.Srt, OutputFileMode.Append))
        {
            more.Write(Final("three"));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(["1", "2", "3"], lines.Where(line => line.Length == 1 && char.IsDigit(line[0])));
        Assert.Contains("caller: three", lines);
    }

    [Fact]
    public void Appending_to_a_csv_file_writes_no_second_header()
    {
        var path = Path.Combine(_folder, "call.csv");
        using (var first = TranscriptWriter.Create(path, TranscriptFormat.Csv))
        {
            first.Write(Final("one"));
        }
        using (var more = TranscriptWriter.Create(path, TranscriptFormat.Csv, OutputFileMode.Append))
        {
            more.Write(Final("two"));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Single(lines, line => line.StartsWith("\"ReceivedAt\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Replace_overwrites()
    {
        var path = Existing("b.wav");

        using (new WaveOutputWriter(path, replace: true))
        {
        }

        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(path), 0, 4));
    }
}
