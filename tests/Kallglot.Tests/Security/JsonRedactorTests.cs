using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Streaming;
using Websocket.Client;

namespace Kallglot.Tests.Security;

public sealed class JsonRedactorTests
{
    private static readonly KallglotSecret Token = new("tok+ab/cd");

    [Theory]
    [InlineData("""{"type":"session.ready","stream_token":"tok\u002Bab\/cd"}""")]
    [InlineData("""{"type":"session.ready","stream_token":"tok\u002bab\u002Fcd"}""")]
    [InlineData("""{"type":"x","nested":[{"note":"your token is tok+ab\/cd, keep it"}]}""")]
    [InlineData("""{"type":"x","url":"wss:\/\/h\/v1\/sessions\/s\/connect?token=tok%2Bab%2Fcd"}""")]
    public void A_token_is_masked_however_the_json_escapes_it(string json)
    {
        var masked = JsonRedactor.Redact(json, Token);

        Assert.DoesNotContain("ab/cd", masked.Replace("\\/", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("tok%2Bab", masked, StringComparison.Ordinal);
        Assert.Contains("***", masked, StringComparison.Ordinal);
        Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(masked));
    }

    [Theory]
    [InlineData("""{"type":"x","map":{"tok+ab/cd":1}}""")]
    [InlineData("""{"type":"x","a":"tok\u002Bab\/cd","a":"twice"}""")]
    [InlineData("""not json, but tok\u002bab\/cd is in it""")]
    [InlineData("""{"type":"x","text":"lone \uD800 surrogate near tok\u002Bab\/cd"}""")]
    public void A_token_used_as_a_key_or_in_text_that_cannot_be_parsed_is_masked_too(string json)
    {
        var masked = JsonRedactor.Redact(json, Token);

        Assert.DoesNotContain("ab/cd", masked.Replace("\\/", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("ab\\/cd", masked, StringComparison.Ordinal);
        Assert.Contains("***", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_after_bearer_are_not_taken_for_a_credential()
    {
        Assert.Equal("the bearer of bad news", Redactor.Redact("the bearer of bad news"));
        Assert.Equal("He sold bearer securities, Bearer Instruments and BEARER CERTIFICATES; the bearer contracts.",
            Redactor.Redact("He sold bearer securities, Bearer Instruments and BEARER CERTIFICATES; the bearer contracts."));
        Assert.Equal("Bearer *** and bearer *** and bearer ***", Redactor.Redact("Bearer abcdEfghij and bearer abcdefghi-jk and bearer abcdefghi.jk"));
        Assert.Equal("Authorization: Bearer ***", Redactor.Redact("Authorization: Bearer kg_live_1234567890"));
    }

    [Fact]
    public void Text_that_holds_no_secret_is_returned_as_it_is_without_parsing()
    {
        const string json = """{"type":"transcript.final","text":"hola","audio":{"payload":"AAAA=="}}""";

        Assert.Same(json, JsonRedactor.Redact(json, Token));
    }

    [Fact]
    public void Escaped_text_without_a_secret_keeps_its_original_form()
    {
        const string json = """{"type":"transcript.final","text":"\u00bfc\u00f3mo?"}""";

        Assert.Same(json, JsonRedactor.Redact(json, Token));
    }

    [Fact]
    public void A_session_response_with_an_escaped_token_shows_it_nowhere_in_raw()
    {
        var session = SessionResponseReader.Read("""{"id":"sess_e","websocket_url":"wss:\/\/s.example.test\/v1\/sessions\/sess_e\/connect?token=tok%2Bab%2Fcd","stream_token":"tok\u002Bab\/cd","debug":{"echo":"tok\u002Bab\/cd"}}""",
            new Uri("https://api.example.test"), null, null, null, DateTimeOffset.UtcNow);

        var raw = System.Text.Json.JsonSerializer.Serialize(session.Raw);

        Assert.Equal("tok+ab/cd", session.StreamToken!.Reveal());
        Assert.Equal("***", session.Raw["stream_token"]);
        Assert.Equal("***", ((IReadOnlyDictionary<string, object?>)session.Raw["debug"]!)["echo"]);
        Assert.DoesNotContain("ab/cd", raw.Replace("\\u002B", "+", StringComparison.Ordinal).Replace("\\/", "/", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_that_echoes_the_token_escaped_is_masked_in_its_json_raw_and_fields()
    {
        var decoder = new InboundDecoder("sess_e", 1024 * 1024, recorder: null, Token);

        var error = Assert.IsType<Kallglot.Streaming.Events.StreamErrorEvent>(decoder.Decode(
            ResponseMessage.TextMessage("""{"type":"error","code":"bad_token","message":"token tok\u002Bab\/cd is not valid"}"""), System.Net.WebSockets.WebSocketMessageType.Text, null, DateTimeOffset.UtcNow));

        Assert.Equal("token *** is not valid", error.Message);
        Assert.DoesNotContain("ab", error.Json, StringComparison.Ordinal);
        Assert.Equal("token *** is not valid", error.Raw["message"]);
    }

    [Theory]
    [InlineData("""{"type":"session.ready","stream_token":"tok\u002Bab\/cd"}""")]
    [InlineData("""{"type":"transcript.final","text":"your token is tok+ab/cd","translation":{"text":"tok+ab/cd"}}""")]
    [InlineData("""{"type":"x","url":"wss://h/v1/sessions/s/connect?TOKEN=tok%2Bab%2Fcd"}""")]
    [InlineData("""{"type":"error","message":"Authorization: Bearer tok+ab/cd was refused"}""")]
    public void Text_handed_over_as_bytes_is_masked_before_any_event_holds_it(string json)
    {
        var decoder = new InboundDecoder("sess_e", 1024 * 1024, recorder: null, Token);

        var streamEvent = decoder.Decode(ResponseMessage.BinaryMessage(System.Text.Encoding.UTF8.GetBytes(json)), System.Net.WebSockets.WebSocketMessageType.Text, null, DateTimeOffset.UtcNow);

        var shown = streamEvent.Json + System.Text.Json.JsonSerializer.Serialize(streamEvent.Raw) + System.Text.Json.JsonSerializer.Serialize(streamEvent, streamEvent.GetType());
        Assert.DoesNotContain("ab/cd", shown.Replace("\\/", "/", StringComparison.Ordinal).Replace("\\u002B", "+", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("tok%2Bab", shown, StringComparison.Ordinal);
        Assert.False(streamEvent is Kallglot.Streaming.Events.StreamErrorEvent { FromClient: true }, "the message is an event, not a client error");
    }

    [Theory]
    [InlineData("plain words only", false)]
    [InlineData("?token=abc", true)]
    [InlineData("?TOKEN=abc", true)]
    [InlineData("?api_Key=abc", true)]
    [InlineData("BeArEr abcdefgh", true)]
    [InlineData("beare r", false)]
    [InlineData("tokens = 3", false)]
    [InlineData("tökén= and keys", false)]
    [InlineData("ends with bearer", true)]
    [InlineData("token=", true)]
    [InlineData("KEY=", true)]
    [InlineData("=token", false)]
    [InlineData("y=1 and ke=2, tok=3, oken=4", false)]
    [InlineData("a=1&b==2&ToKeN=3", true)]
    [InlineData("padding== then key=x", true)]
    [InlineData("token =x", false)]
    public void The_byte_look_for_patterns_agrees_with_the_text_look(string text, bool expected)
    {
        Assert.Equal(expected, Redactor.MayHoldPattern(text));
        Assert.Equal(expected, Redactor.MayHoldPattern(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
