using Kallglot.Errors;
using Kallglot.Sessions;

namespace Kallglot.Tests.Sessions;

public sealed class SessionResponseReaderTests
{
    private static readonly Uri ApiBase = new("https://api.example.test");
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static KallglotSession Read(string json) =>
        SessionResponseReader.Read(json, ApiBase, CreateSessionRequest.ForPhoneNumber("+14155550100"), null, "req_1", ReceivedAt);

    [Fact]
    public void Canonical_shape_gives_id_url_token_and_expiry()
    {
        var session = Read("""{"id":"sess_1","websocket_url":"wss://stream.example.test/v1/sessions/sess_1/connect?token=tok_abc","stream_token":"tok_abc","expires_at":"2026-11-25T12:05:00Z","provider":"twilio","status":"created"}""");

        Assert.Equal("sess_1", session.Id);
        Assert.Equal("wss://stream.example.test/v1/sessions/sess_1/connect?token=tok_abc", session.StreamUriWithToken.AbsoluteUri);
        Assert.Equal("tok_abc", session.StreamToken!.Reveal());
        Assert.Equal(ReceivedAt.AddMinutes(5), session.TokenExpiresAt);
        Assert.Equal("response", session.TokenExpirySource);
        Assert.Equal("twilio", session.Provider);
    }

    [Fact]
    public void The_stream_url_masks_the_token_wherever_the_server_put_it()
    {
        var session = Read("""{"id":"sess_1","websocket_url":"wss://stream.example.test/v1/sessions/sess_1/connect/tok_secret_9?auth=tok_secret_9","stream_token":"tok_secret_9"}""");

        Assert.DoesNotContain("tok_secret_9", session.StreamUrl);
    }

    [Fact]
    public void Sip_credentials_in_the_routing_show_neither_on_the_session_nor_in_its_raw_answer()
    {
        var request = CreateSessionRequest.ForSip(new Dictionary<string, object?> { ["sip_uri"] = "sip:agent:uri-pass-1@pbx.example.test", ["auth_password"] = "auth-pass-1" });
        var echoed = """{"id":"sess_1","stream_token":"tok_abc","routing":{"sip_uri":"sip:agent:uri-pass-1@pbx.example.test","auth_password":"auth-pass-1","trunks":[{"password":"trunk-pass-1"},"sip:b:trunk-uri-pass-1@h"]}}""";

        var fromEcho = SessionResponseReader.Read(echoed, ApiBase, request, null, "req_1", ReceivedAt);
        var fromRequest = SessionResponseReader.Read("""{"id":"sess_2","stream_token":"tok_abc"}""", ApiBase, request, null, "req_1", ReceivedAt);

        foreach (var session in new[] { fromEcho, fromRequest })
        {
            var shown = System.Text.Json.JsonSerializer.Serialize(new { session.Routing, session.Raw });
            Assert.DoesNotMatch("uri-pass-1|auth-pass-1|trunk-pass-1|trunk-uri-pass-1", shown);
            Assert.Equal("***", session.Routing["auth_password"]);
            Assert.Equal("sip:agent:***@pbx.example.test", session.Routing["sip_uri"]);
        }
        Assert.Equal("SIP sip:agent:***@pbx.example.test", request.Target);
    }

    [Theory]
    [InlineData("\"expires_at\":1764072300000000")]
    [InlineData("\"expires_at\":1e300")]
    [InlineData("\"expires_in\":1e300")]
    [InlineData("\"expires_at\":\"not a time\"")]
    public void An_expiry_out_of_any_range_still_returns_the_paid_for_session_with_the_documented_lifetime(string expiry)
    {
        var session = Read($$"""{"id":"sess_x","stream_token":"t",{{expiry}}}""");

        Assert.Equal("sess_x", session.Id);
        Assert.Equal("unreadable", session.TokenExpirySource);
        Assert.Equal(ReceivedAt.AddMinutes(5), session.TokenExpiresAt);
    }

    [Fact]
    public void Flat_shape_with_expires_in_counts_from_receipt()
    {
        var session = Read("""{"session_id":"sess_2","stream_url":"wss://s.example.test/x?token=t2","token":"t2","expires_in":120}""");

        Assert.Equal("sess_2", session.Id);
        Assert.Equal(ReceivedAt.AddSeconds(120), session.TokenExpiresAt);
        Assert.Equal("expires_in", session.TokenExpirySource);
    }

    [Fact]
    public void Nested_stream_object_is_read()
    {
        var session = Read("""{"id":"sess_3","stream":{"url":"wss://s.example.test/v1/sessions/sess_3/connect","token":"t3","expires_at":1795608300}}""");

        Assert.Equal("t3", session.StreamToken!.Reveal());
        Assert.Equal("wss://s.example.test/v1/sessions/sess_3/connect?token=t3", session.StreamUriWithToken.AbsoluteUri);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795608300), session.TokenExpiresAt);
    }

    [Fact]
    public void Token_only_in_url_query_is_found_and_expiry_defaults_to_five_minutes()
    {
        var session = Read("""{"session_id":"sess_4","ws_url":"wss://s.example.test/v1/sessions/sess_4/connect?token=only%2Bhere"}""");

        Assert.Equal("only+here", session.StreamToken!.Reveal());
        Assert.Equal(ReceivedAt.AddMinutes(5), session.TokenExpiresAt);
        Assert.Equal("default", session.TokenExpirySource);
    }

    [Fact]
    public void No_url_builds_the_documented_connect_url_with_the_api_scheme()
    {
        var session = Read("""{"id":"sess_5","stream_token":"t5"}""");

        Assert.Equal("wss://api.example.test/v1/sessions/sess_5/connect?token=t5", session.StreamUriWithToken.AbsoluteUri);
    }

    [Fact]
    public void Plain_http_base_gives_ws_and_relative_url_is_resolved()
    {
        var session = SessionResponseReader.Read("""{"id":"sess_6","websocket_url":"/v1/sessions/sess_6/connect?token=t6"}""",
            new Uri("http://127.0.0.1:5000"), null, null, null, ReceivedAt);

        Assert.Equal("ws://127.0.0.1:5000/v1/sessions/sess_6/connect?token=t6", session.StreamUriWithToken.AbsoluteUri);
    }

    [Fact]
    public void Wrapped_in_data_object_is_unwrapped()
    {
        var session = Read("""{"data":{"id":"sess_7","token":"t7"}}""");

        Assert.Equal("sess_7", session.Id);
    }

    [Fact]
    public void Provider_object_gives_its_type()
    {
        var session = Read("""{"id":"sess_8","token":"t8","provider":{"type":"telnyx"}}""");

        Assert.Equal("telnyx", session.Provider);
    }

    [Fact]
    public void Unknown_fields_are_kept_in_raw_with_the_token_masked()
    {
        var session = Read("""{"id":"sess_9","stream_token":"secret-token-9","websocket_url":"wss://s.example.test/c?token=secret-token-9","region":"eu-west","features":{"diarization":true}}""");

        Assert.Equal("eu-west", session.Raw["region"]);
        Assert.Equal(true, ((IReadOnlyDictionary<string, object?>)session.Raw["features"]!)["diarization"]);
        Assert.Equal("***", session.Raw["stream_token"]);
        Assert.DoesNotContain("secret-token-9", session.StreamUrl);
        Assert.DoesNotContain("secret-token-9", session.ToString());
        Assert.Equal("***", session.StreamToken!.ToString());
    }

    [Fact]
    public void Missing_id_is_a_protocol_error_that_warns_the_session_may_be_charged()
    {
        var error = Assert.Throws<KallglotException>(() => Read("""{"token":"t"}"""));

        Assert.Equal("unreadable_session_response", error.ErrorId);
        Assert.Equal(KallglotErrorKind.Protocol, error.Kind);
        Assert.Contains("may have been created", error.Message);
        Assert.Contains("req_1", error.Message);
    }

    [Fact]
    public void Missing_token_everywhere_is_a_protocol_error()
    {
        var error = Assert.Throws<KallglotException>(() => Read("""{"id":"sess_x","websocket_url":"wss://s.example.test/c"}"""));

        Assert.Equal("unreadable_session_response", error.ErrorId);
    }

    [Fact]
    public void Not_json_is_a_protocol_error()
    {
        var error = Assert.Throws<KallglotException>(() => Read("<html>gateway</html>"));

        Assert.Equal(KallglotErrorKind.Protocol, error.Kind);
    }

    [Fact]
    public void Text_that_cannot_become_a_string_is_a_protocol_error_not_a_crash()
    {
        var error = Assert.Throws<KallglotException>(() => Read("""{"id":"sess_\ud800","token":"t"}"""));

        Assert.Equal("unreadable_session_response", error.ErrorId);
    }
}
