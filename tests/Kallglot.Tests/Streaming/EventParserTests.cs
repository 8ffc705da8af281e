using Kallglot.Streaming;
using Kallglot.Streaming.Events;

namespace Kallglot.Tests.Streaming;

public sealed class EventParserTests
{
    private static KallglotEvent Parse(string json) => EventParser.Parse(json, "sess_default", 1, DateTimeOffset.UnixEpoch);

    [Theory]
    // As JSON.stringify and json.dumps write a transcript cut between the two halves of an emoji.
    [InlineData("""{"type":"transcript.partial","text":"see you \ud83d"}""", "see you \uFFFD")]
    [InlineData("""{"type":"transcript.partial","text":"\udE00 and \\ud83d, \ud83d\ude00"}""", "\uFFFD and \\ud83d, \ud83d\ude00")]
    // Long enough that a comparison with a known type or the stream's session id reaches the broken half.
    [InlineData("""{"type":"transcript.partial","session_id":"sess_default\ud83d","text":"transcript.partial\ud83d"}""", "transcript.partial\uFFFD")]
    public void A_lone_surrogate_escape_is_read_as_a_replacement_character_and_the_event_kept(string json, string text)
    {
        var partial = Assert.IsType<TranscriptPartialEvent>(Parse(json));

        Assert.Equal(text, partial.Text);
    }

    [Fact]
    public void Final_with_translation_object_is_typed()
    {
        var final = Assert.IsType<TranscriptFinalEvent>(Parse("""{"type":"transcript.final","speaker":"caller","text":"Hello","translation":{"text":"Hola","language":"es"},"start_ms":120,"end_ms":980}"""));

        Assert.Equal("Hola", final.TranslationText);
        Assert.Equal("es", final.Translation!.Language);
        Assert.Equal(TimeSpan.FromMilliseconds(980), final.End);
        Assert.Equal("sess_default", final.SessionId);
    }

    [Fact]
    public void Final_with_translation_as_plain_string_is_read()
    {
        Assert.Equal("Hola", Assert.IsType<TranscriptFinalEvent>(Parse("""{"type":"transcript.final","text":"Hello","translation":"Hola"}""")).TranslationText);
    }

    [Fact]
    public void Final_without_translation_or_text_is_tolerated()
    {
        var final = Assert.IsType<TranscriptFinalEvent>(Parse("""{"type":"transcript.final"}"""));

        Assert.Null(final.Translation);
        Assert.Equal(string.Empty, final.Text);
    }

    [Fact]
    public void Audio_output_payload_is_decoded()
    {
        var audio = Assert.IsType<AudioOutputEvent>(Parse("""{"type":"audio.output","audio":{"encoding":"mulaw","sample_rate_hz":8000,"payload":"AAEC"}}"""));

        Assert.Equal(new byte[] { 0, 1, 2 }, audio.Payload);
        Assert.Equal(TimeSpan.FromSeconds(3.0 / 8000), audio.Duration);
    }

    [Fact]
    public void Error_nested_under_error_is_read()
    {
        var error = Assert.IsType<StreamErrorEvent>(Parse("""{"type":"error","error":{"code":"rate_limited","message":"slow"}}"""));

        Assert.Equal("rate_limited", error.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"text\":\"no type\"}")]
    [InlineData("{\"type\":42}")]
    [InlineData("{\"type\":\"audio.output\",\"audio\":{\"payload\":\"###\"}}")]
    public void What_is_not_an_event_is_a_parse_exception(string json)
    {
        Assert.Throws<EventParseException>(() => Parse(json));
    }

    [Fact]
    public void No_message_at_all_is_a_parse_exception()
    {
        Assert.Throws<EventParseException>(() => EventParser.Parse((string)null!, "sess_default", 1, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Session_id_in_the_event_wins()
    {
        Assert.Equal("sess_other", Parse("""{"type":"session.ready","session_id":"sess_other"}""").SessionId);
    }

    [Theory]
    [InlineData("""{"type":"transcript\u002efinal","session_id":"sess\u005fdefault","text":"Hi"}""")]
    [InlineData("""{"type":"transcript.final","session_id":"sess_default","text":"Hi"}""")]
    public void Type_and_session_id_are_read_however_the_server_escaped_them(string json)
    {
        var final = Assert.IsType<TranscriptFinalEvent>(Parse(json));

        Assert.Equal("transcript.final", final.Type);
        Assert.Equal("sess_default", final.SessionId);
    }

    [Fact]
    public void An_unknown_type_keeps_its_name()
    {
        var unknown = Parse("""{"type":"transcript.sentiment","session_id":"sess_default"}""");

        Assert.Equal(typeof(KallglotEvent), unknown.GetType());
        Assert.Equal("transcript.sentiment", unknown.Type);
    }

    [Theory]
    [InlineData("""{"\ud800":1,"type":"session.ready"}""")]
    [InlineData("""{"\ud800x":1,"typ\u0065":"session.ready"}""")]
    [InlineData("""{"type":"session.ready","\udc00\u0074ype":"error"}""")]
    public void A_field_name_whose_escapes_make_no_text_is_skipped_like_any_name_not_read(string json)
    {
        Assert.IsType<SessionReadyEvent>(Parse(json));
    }

    [Fact]
    public void The_last_of_a_name_given_twice_counts_nested_fields_included()
    {
        var final = Assert.IsType<TranscriptFinalEvent>(Parse("""{"type":"error","type":"transcript.final","translation":{"text":"uno","language":"es"},"translation":{"target_language":"fr"},"text":"a","text":"b"}"""));

        Assert.Equal("b", final.Text);
        Assert.Null(final.Translation);
    }
}
