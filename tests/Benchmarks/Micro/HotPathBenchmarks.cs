using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Kallglot.Security;
using Kallglot.Streaming;
using Websocket.Client;

namespace Kallglot.Benchmarks.Micro;

/// <summary>The receive hot path (event parsing) against a bare JsonDocument parse of the same message, the floor any client pays.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string SessionId = "sess_0123456789abcdef01234567";
    private const string Final = """{"type":"transcript.final","session_id":"sess_0123456789abcdef01234567","speaker":"caller","text":"flood 12345","flood_index":12345,"translation":{"text":"inundación 12345","language":"es"},"emulator_sent_at_ticks":123456789012}""";
    private static readonly byte[] FinalUtf8 = Encoding.UTF8.GetBytes(Final);

    private readonly InboundDecoder _decoder = new(SessionId, 1024 * 1024, recorder: null, new KallglotSecret("tok_abcdefghijklmnopqrstuvwx"));
    private readonly ResponseMessage _asReceived = ResponseMessage.BinaryMessage(FinalUtf8);
    private readonly byte[][] _secretsUtf8 = [Encoding.UTF8.GetBytes("tok_abcdefghijklmnopqrstuvwx")];

    [Benchmark(Baseline = true)]
    public JsonValueKind JsonDocumentParse()
    {
        using var document = JsonDocument.Parse(Final);
        return document.RootElement.ValueKind;
    }

    [Benchmark]
    public JsonValueKind JsonDocumentParseUtf8()
    {
        using var document = JsonDocument.Parse(FinalUtf8.AsMemory());
        return document.RootElement.ValueKind;
    }

    [Benchmark]
    public object EventParserParse() => EventParser.Parse(Final, "sess_default", 1, DateTimeOffset.UnixEpoch);

    /// <summary>The look for secrets alone, on the message's bytes: what decides whether a string is made of it to mask.</summary>
    [Benchmark]
    public bool LookForSecrets() => JsonRedactor.MayHoldSecret(FinalUtf8, _secretsUtf8);

    /// <summary>What the stream does with each text message since it stopped converting them to strings: the look for secrets, then the parse.</summary>
    [Benchmark]
    public object DecodeAsReceived() => _decoder.Decode(_asReceived, WebSocketMessageType.Text, null, DateTimeOffset.UnixEpoch);
}
