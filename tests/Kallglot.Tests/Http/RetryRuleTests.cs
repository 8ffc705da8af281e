using System.Net;
using System.Net.Sockets;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;
using Kallglot.Sessions;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Http;

public sealed class RetryRuleTests
{
    private const string SessionBody = """{"id":"sess_r","stream_token":"t"}""";

    private static KallglotClient Client(StubHandler handler, int maxRetries = 3, List<string>? log = null) => new(new KallglotClientOptions
    {
        BaseUri = new Uri("https://api.example.test"),
        ApiKey = new KallglotSecret("kg_test_key"),
        Transport = handler,
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        Log = log is null ? null : log.Add,
    });

    private static CreateSessionRequest Request() => CreateSessionRequest.ForPhoneNumber("+14155550100");

    [Fact]
    public async Task Throttled_with_retry_after_is_retried_then_succeeds()
    {
        var handler = new StubHandler()
            .Then(HttpStatusCode.TooManyRequests, configure: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(20)))
            .Then(HttpStatusCode.Created, SessionBody);

        var session = await Client(handler).CreateSessionAsync(Request());

        Assert.Equal("sess_r", session.Id);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Throttled_without_retry_after_is_not_resent()
    {
        var handler = new StubHandler().Then(HttpStatusCode.TooManyRequests, """{"code":"rate_limited","message":"slow down"}""");

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal("rate_limited", error.ErrorId);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task A_session_request_that_got_any_other_answer_is_never_resent(HttpStatusCode status)
    {
        var handler = new StubHandler().Then(status);

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal(status, error.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Retries_stop_after_the_maximum()
    {
        var handler = new StubHandler();
        for (var i = 0; i < 3; i++)
        {
            handler.Then(HttpStatusCode.TooManyRequests, configure: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero));
        }

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler, maxRetries: 2).CreateSessionAsync(Request()));

        Assert.Equal("rate_limited", error.ErrorId);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Max_retries_zero_turns_retries_off()
    {
        var handler = new StubHandler().Then(HttpStatusCode.TooManyRequests, configure: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero));

        await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler, maxRetries: 0).CreateSessionAsync(Request()));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Retry_after_beyond_the_cap_is_not_waited_for()
    {
        var handler = new StubHandler().Then(HttpStatusCode.TooManyRequests, configure: r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(10)));

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => Client(handler).CreateSessionAsync(Request()));

        Assert.Equal(TimeSpan.FromMinutes(10), error.RetryAfter);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_request_refused_before_reaching_the_server_is_retried()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        var handler = new StubHandler().ThenThrow(refused).Then(HttpStatusCode.Created, SessionBody);
        var log = new List<string>();

        var session = await Client(handler, log: log).CreateSessionAsync(Request());

        Assert.Equal("sess_r", session.Id);
        Assert.Contains(log, line => line.Contains("connection refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_real_refused_port_ends_with_connection_failed_naming_the_endpoint()
    {
        using var reserved = RefusingPort();
        var port = ((IPEndPoint)reserved.LocalEndPoint!).Port;
        var client = new KallglotClient(new KallglotClientOptions
        {
            BaseUri = new Uri($"http://127.0.0.1:{port}"),
            ApiKey = new KallglotSecret("kg_test_key"),
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });

        var error = await Assert.ThrowsAsync<KallglotException>(() => client.CreateSessionAsync(Request()));

        Assert.Equal("connection_failed", error.ErrorId);
        Assert.Equal(KallglotErrorKind.Connection, error.Kind);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("2 attempt", error.Message);
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_respects_the_cap()
    {
        var options = new KallglotClientOptions { RetryDelay = TimeSpan.FromSeconds(0.8), MaxRetryDelay = TimeSpan.FromSeconds(60) };
        var lowest = new RetryPolicy(options, () => 0.0);
        var highest = new RetryPolicy(options, () => 1.0);

        Assert.Equal(TimeSpan.FromSeconds(0.64), lowest.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(1.92), highest.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(60), highest.Backoff(12));
        Assert.Equal(TimeSpan.FromSeconds(5), lowest.DelayAfterThrottle(1, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(0.64), lowest.DelayAfterThrottle(1, TimeSpan.Zero));
        Assert.Null(lowest.DelayAfterThrottle(1, TimeSpan.FromSeconds(61)));
    }

    [Fact]
    public async Task The_key_is_sent_as_bearer_and_never_logged()
    {
        var handler = new StubHandler().Then(HttpStatusCode.Created, SessionBody, r => r.Headers.Add(CreditUsage.RemainingHeader, "41"));
        var log = new List<string>();

        var session = await Client(handler, log: log).CreateSessionAsync(Request());

        Assert.Equal("Bearer kg_test_key", handler.Requests[0].Authorization);
        Assert.Equal(41, session.CreditsRemaining);
        Assert.Contains(log, line => line.Contains("POST /v1/sessions -> 201", StringComparison.Ordinal) && line.Contains("credits remaining 41", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("kg_test_key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://api.example.test")]
    [InlineData("http://10.0.0.5:8080")]
    public void Clear_text_to_a_remote_host_is_refused_unless_allowed(string baseUri)
    {
        var error = Assert.Throws<KallglotValidationException>(() => new KallglotClient(new KallglotClientOptions { BaseUri = new Uri(baseUri) }));

        Assert.Equal("insecure_connection_refused", error.ErrorId);
        _ = new KallglotClient(new KallglotClientOptions { BaseUri = new Uri(baseUri), AllowInsecureConnection = true });
    }

    [Theory]
    [InlineData("ws://10.0.0.5:8080")]
    [InlineData("wss://api.example.test")]
    public void A_websocket_url_is_not_an_api_endpoint_allowed_or_not(string baseUri)
    {
        var error = Assert.Throws<KallglotValidationException>(() => new KallglotClient(new KallglotClientOptions { BaseUri = new Uri(baseUri), AllowInsecureConnection = true }));

        Assert.Equal("invalid_base_uri", error.ErrorId);
    }

    [Fact]
    public async Task No_key_fails_before_any_request()
    {
        var handler = new StubHandler();
        var client = new KallglotClient(new KallglotClientOptions { BaseUri = new Uri("https://api.example.test"), Transport = handler });

        var error = await Assert.ThrowsAsync<KallglotException>(() => client.CreateSessionAsync(Request()));

        Assert.Equal("api_key_missing", error.ErrorId);
        Assert.Empty(handler.Requests);
    }

    // Bound and never listening, for the test's whole length: connections to it are refused, and no other socket (a parallel
    // test's server) can take the port meanwhile, as it could between releasing a free port and connecting to it.
    private static Socket RefusingPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
