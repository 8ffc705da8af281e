using Kallglot.Security;

namespace Kallglot.Tests.Security;

public sealed class CredentialFieldRedactorTests
{
    [Theory]
    [InlineData("""{"id":"s1","stream_token":"unknown-1","url":"wss://h/v1/sessions/s1/connect/unknown-1"}""")]
    [InlineData("""[{"id":"s1","stream":{"token":"unknown-1"}},{"id":"s2","streamToken":"unknown-1"}]""")]
    [InlineData("""{"session":{"access_token":"unknown-1","note":"paste unknown-1 to connect"}}""")]
    [InlineData("""{"client_secret":"unknown-1","refresh_token":["unknown-1"],"webhook":{"secret":{"value":"unknown-1"}}}""")]
    [InlineData("""{"token":"k+/unknown-1","url":"wss://h/connect/k%2B%2Funknown-1"}""")]
    [InlineData("""{"stream_token":"unknown-1","stream_token":"unknown-1","url":"wss://h/?t=unknown-1"}""")]
    public void A_credential_the_client_did_not_know_is_masked_by_its_field_name_and_everywhere_else_it_appears(string json)
    {
        var masked = CredentialFieldRedactor.Redact(json);

        Assert.DoesNotContain("unknown-1", masked);
        Assert.Contains("***", masked);
    }

    [Theory]
    // Absolute URIs to .NET, and so once taken for the secret's URL neighbour and masked in their field only.
    [InlineData("""{"stream_token":"v1:unknown-1","note":"paste v1:unknown-1 to connect"}""")]
    [InlineData("""{"stream_token":"/unknown-1+k","note":"paste /unknown-1+k to connect"}""")]
    public void A_credential_that_reads_as_a_uri_without_a_host_is_masked_everywhere_it_appears(string json)
    {
        var masked = CredentialFieldRedactor.Redact(json);

        Assert.DoesNotContain("unknown-1", masked);
    }

    [Theory]
    [InlineData("""{"routing":{"sip_uri":"sip:agent:unknown-1@pbx.example.test"}}""")]
    [InlineData("""{"routing":{"trunks":["sips:agent:unknown-1@pbx.example.test;transport=tls"]}}""")]
    [InlineData("""{"routing":{"sip_passwd":"unknown-1"}}""")]
    [InlineData("""{"routing":{"sip":{"pwd":"unknown-1","passcode":"unknown-1"}}}""")]
    [InlineData("""{"headers":{"Authorization":"Basic unknown-1"}}""")]
    [InlineData("""{"sip_auth":{"username":"agent","password":"unknown-1"},"credentials":[{"user":"agent","secret":"unknown-1"}]}""")]
    public void A_sip_password_is_masked_in_a_uri_and_under_its_other_usual_names(string json)
    {
        var masked = CredentialFieldRedactor.Redact(json);

        Assert.DoesNotContain("unknown-1", masked);
    }

    [Fact]
    public void A_short_credential_is_masked_in_its_field_only_not_wherever_its_text_appears()
    {
        var masked = CredentialFieldRedactor.Redact("""{"page_token":"2","items":[{"id":"sess_2","created_at":"2026-12-02"}]}""");

        Assert.Equal("""{"page_token":"***","items":[{"id":"sess_2","created_at":"2026-12-02"}]}""", masked);
    }

    [Fact]
    public void Fields_that_only_mention_a_token_keep_their_values()
    {
        const string json = """{"token_expires_at":"2026-12-02T00:00:00Z","tokens_used":3,"routing":{"phone_number":"+14155550100"}}""";

        Assert.Equal(json, CredentialFieldRedactor.Redact(json));
    }

    [Theory]
    [InlineData("""{"refresh_token":["unknown-1"],"a":1,"a":2}""")]
    [InlineData("""{"secret":{"value":"unknown-1"},"pin_password":123456789,"a":1,"a":2}""")]
    public void A_credential_that_is_no_string_is_masked_too_in_an_answer_that_repeats_a_key(string json)
    {
        var masked = CredentialFieldRedactor.Redact(json);

        Assert.DoesNotContain("unknown-1", masked);
        Assert.DoesNotContain("123456789", masked);
    }

    [Theory]
    [InlineData("k%2b%2funknown-1")]
    [InlineData("k+%2Funknown-1")]
    public void A_token_percent_encoded_by_another_encoder_is_masked_in_a_url(string encoded)
    {
        var json = "{\"token\":\"k+/unknown-1\",\"url\":\"wss://h/connect/" + encoded + "\"}";

        Assert.DoesNotContain("unknown-1", CredentialFieldRedactor.Redact(json));
    }

    [Fact]
    public void A_body_that_is_one_string_is_masked()
    {
        var key = new KallglotSecret("key-unknown-1");

        Assert.Equal(""""wss://h/connect?token=***&k=***"""", CredentialFieldRedactor.Redact(""""wss://h/connect?token=abc&k=key-unknown-1"""", key));
    }

    [Fact]
    public void Headers_are_masked_with_what_the_body_named()
    {
        CredentialFieldRedactor.Redact("""{"stream_token":"path-token-1"}""", out var secrets);

        Assert.Equal("/v1/sessions/s1/connect/***", Redactor.Redact("/v1/sessions/s1/connect/path-token-1", [.. secrets]));
    }

}
