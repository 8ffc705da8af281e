using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Kallglot.Streaming;

namespace Kallglot.Benchmarks.Micro;

/// <summary>The receive hot path (event parsing) against a bare JsonDocument parse of the same message, the floor any client pays.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string Final = """{"type":"transcript.final","session_id":"sess_0123456789abcdef01234567","speaker":"caller","text":"flood 12345","flood_index":12345,"translation":{"text":"inundación 12345","language":"es"},"emulator_sent_at_ticks":123456789012}""";

    [Benchmark(Baseline = true)]
    public JsonValueKind JsonDocumentParse()
    {
        using var document = JsonDocument.Parse(Final);
        return document.RootElement.ValueKind;
    }

    [Benchmark]
    public object EventParserParse() => EventParser.Parse(Final, "sess_default", 1, DateTimeOffset.UnixEpoch);
}
