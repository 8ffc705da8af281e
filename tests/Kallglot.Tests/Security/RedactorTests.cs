using Kallglot.Security;

namespace Kallglot.Tests.Security;

public sealed class RedactorTests
{
    [Theory]
    [InlineData("wss://h/v1/sessions/s/connect?token=abc.def-ghi", "wss://h/v1/sessions/s/connect?token=***")]
    [InlineData("wss://h/c?a=1&token=abc&b=2", "wss://h/c?a=1&token=***&b=2")]
    [InlineData("token=abc.def&a=1", "token=***&a=1")]
    [InlineData("use\ntoken=abc.def or key=xyz", "use\ntoken=*** or key=***")]
    [InlineData("<a href=\"wss://h/c?a=1&amp;token=abc\">", "<a href=\"wss://h/c?a=1&amp;token=***\">")]
    [InlineData("Authorization: Bearer kg_live_123", "Authorization: Bearer ***")]
    [InlineData("routing refused: sip:agent:pass-1@pbx.example.test is busy", "routing refused: sip:agent:***@pbx.example.test is busy")]
    [InlineData("{\"uri\":\"SIPS:agent:pass-1@pbx.example.test;transport=tls\"}", "{\"uri\":\"SIPS:agent:***@pbx.example.test;transport=tls\"}")]
    [InlineData("sip:agent@pbx.example.test and sip:agent@pbx2.example.test:5060", "sip:agent@pbx.example.test and sip:agent@pbx2.example.test:5060")]
    public void Token_queries_and_bearer_values_are_masked_without_knowing_them(string text, string expected)
    {
        Assert.Equal(expected, Redactor.Redact(text));
    }

    [Fact]
    public void Known_secrets_are_masked_anywhere()
    {
        var key = new KallglotSecret("kg_live_supersecret");

        Assert.Equal("the key *** was refused", Redactor.Redact("the key kg_live_supersecret was refused", key));
    }

    [Fact]
    public void A_secret_never_shows_its_value()
    {
        var secret = new KallglotSecret("value-1");

        Assert.Equal("***", secret.ToString());
        Assert.Equal("***", $"{secret}");
        Assert.Equal(7, secret.Length);
    }
}
