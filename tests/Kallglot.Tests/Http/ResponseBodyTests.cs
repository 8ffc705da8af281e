using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kallglot.Errors;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Http;

/// <summary>Answers as servers other than the emulator write them: the charset they name, the headers they send.</summary>
public sealed class ResponseBodyTests
{
    private static KallglotClient Client(StubHandler handler) => new(new KallglotClientOptions
    {
        BaseUri = new Uri("https://api.example.test"),
        ApiKey = new KallglotSecret("kg_test_key"),
        Transport = handler,
        RetryDelay = TimeSpan.FromMilliseconds(1),
    });

    private static CreateSessionRequest Request() => CreateSessionRequest.ForPhoneNumber("+14155550100");

    private static Action<HttpResponseMessage> Body(byte[] bytes, string contentType) => response =>
    {
        response.Content = new ByteArrayContent(bytes);
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
    };

    [Theory]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json; charset=no-such-charset")]
    public async Task A_created_session_is_returned_whatever_charset_name_the_server_gives(string contentType)
    {
        var handler = new StubHandler().Then(HttpStatusCode.Created, configure: Body(Encoding.UTF8.GetBytes("""{"id":"sess_ü","stream_token":"t"}"""), contentType));

        var session = await Client(handler).CreateSessionAsync(Request());

        Assert.Equal("sess_ü", session.Id);
    }

    [Theory]
    [InlineData("utf-8", true)]
    [InlineData("utf-8", false)]
    [InlineData("utf-16", true)]
    public async Task A_body_that_begins_with_a_byte_order_mark_is_read_without_it(string encodingName, bool declaresItsLength)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var body = encoding.GetPreamble().Concat(encoding.GetBytes("""{"id":"sess_bom","stream_token":"t"}""")).ToArray();
        var handler = new StubHandler().Then(HttpStatusCode.Created, configure: response =>
        {
            Body(body, "application/json")(response);
            if (!declaresItsLength)
            {
                response.Content.Headers.ContentLength = null;
            }
        });

        var session = await Client(handler).CreateSessionAsync(Request());

        Assert.Equal("sess_bom", session.Id);
    }

    [Fact]
    public async Task A_refusal_under_an_unknown_charset_name_keeps_the_api_code()
    {
        var handler = new StubHandler().Then(HttpStatusCode.Forbidden,
            configure: Body(Encoding.UTF8.GetBytes("""{"code":"organization_inactive","message":"Subscription inactive"}"""), "application/json; charset=utf8"));

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal("organization_inactive", error.ApiCode);
        Assert.Equal("Subscription inactive", error.ApiMessage);
    }

    [Fact]
    public async Task A_charset_dotnet_knows_is_decoded_with_it()
    {
        var handler = new StubHandler().Then(HttpStatusCode.Forbidden,
            configure: Body(Encoding.Latin1.GetBytes("""{"code":"organization_inactive","message":"Abonnement résilié"}"""), "application/json; charset=iso-8859-1"));

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal("Abonnement résilié", error.ApiMessage);
    }

    [Theory]
    [InlineData("Infinity")]
    [InlineData("1e300")]
    public async Task A_retry_after_ms_past_any_wait_is_not_waited_for_and_is_reported(string value)
    {
        var handler = new StubHandler().Then(HttpStatusCode.TooManyRequests, configure: response => response.Headers.Add("retry-after-ms", value));

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal("rate_limited", error.ErrorId);
        Assert.Equal(TimeSpan.MaxValue, error.RetryAfter);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("NaN")]
    public async Task A_retry_after_ms_that_is_no_wait_is_ignored(string value)
    {
        var handler = new StubHandler().Then(HttpStatusCode.TooManyRequests, configure: response => response.Headers.Add("retry-after-ms", value));

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Null(error.RetryAfter);
        Assert.Single(handler.Requests);
    }
}
