using System.Net;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;

namespace Kallglot.Tests.Errors;

public sealed class ApiErrorReaderTests
{
    [Fact]
    public void Nested_error_body_gives_code_and_message()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.PaymentRequired,
            """{"error":{"code":"insufficient_api_credits","message":"No credits left."}}""", "req_9", new CreditUsage(0, 50), null);

        Assert.Equal("insufficient_api_credits", error.ErrorId);
        Assert.Equal(KallglotErrorKind.QuotaExceeded, error.Kind);
        Assert.Equal("No credits left.", error.ApiMessage);
        Assert.Contains("req_9", error.Message);
        Assert.Contains("remaining: 0", error.Message);
        Assert.Contains("add credits", error.Message);
    }

    [Fact]
    public void Flat_error_body_gives_code_and_message()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.Forbidden, """{"code":"organization_inactive","message":"Subscription inactive"}""", null, null, null);

        Assert.Equal("organization_inactive", error.ErrorId);
        Assert.Equal(KallglotErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("reactivate", error.Message);
    }

    [Fact]
    public void String_error_field_is_the_code()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.Unauthorized, """{"error":"invalid_api_key","message":"bad key"}""", null, null, null);

        Assert.Equal("invalid_api_key", error.ErrorId);
        Assert.Equal(KallglotErrorKind.Authentication, error.Kind);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "unauthorized", KallglotErrorKind.Authentication)]
    [InlineData(HttpStatusCode.PaymentRequired, "insufficient_api_credits", KallglotErrorKind.QuotaExceeded)]
    [InlineData(HttpStatusCode.Forbidden, "forbidden", KallglotErrorKind.PermissionDenied)]
    [InlineData(HttpStatusCode.NotFound, "not_found", KallglotErrorKind.NotFound)]
    [InlineData(HttpStatusCode.Conflict, "conflict", KallglotErrorKind.Conflict)]
    [InlineData(HttpStatusCode.UnprocessableEntity, "invalid_request", KallglotErrorKind.InvalidArgument)]
    [InlineData(HttpStatusCode.TooManyRequests, "rate_limited", KallglotErrorKind.RateLimited)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "server_error", KallglotErrorKind.ServiceError)]
    public void Empty_body_lets_the_status_decide(HttpStatusCode status, string errorId, KallglotErrorKind kind)
    {
        var error = ApiErrorReader.Read(status, string.Empty, null, null, null);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public void Html_body_is_ignored_and_the_status_decides()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.BadGateway, "<html><body>Bad gateway</body></html>", null, null, null);

        Assert.Equal("server_error", error.ErrorId);
        Assert.DoesNotContain("<html>", error.Message);
    }

    [Fact]
    public void Text_dotnet_cannot_hold_in_the_body_lets_the_status_decide()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.PaymentRequired, """{"code":"insufficient_api_credits","message":"cut \ud83d"}""", null, null, null);

        Assert.Equal("insufficient_api_credits", error.ErrorId);
        Assert.Null(error.ApiMessage);
    }

    [Fact]
    public void Code_that_is_not_a_stable_identifier_is_replaced_by_the_status_code()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.BadRequest, """{"code":"Some Thing! with spaces","message":"x"}""", null, null, null);

        Assert.Equal("invalid_request", error.ErrorId);
        Assert.Equal("Some Thing! with spaces", error.ApiCode);
    }

    [Fact]
    public void Api_message_echoing_the_key_is_masked()
    {
        var key = new KallglotSecret("kg_live_SECRET123");
        var error = ApiErrorReader.Read(HttpStatusCode.Unauthorized, """{"code":"unauthorized","message":"key kg_live_SECRET123 revoked"}""", null, null, null, key);

        Assert.DoesNotContain("SECRET123", error.Message);
        Assert.DoesNotContain("SECRET123", error.ApiMessage);
    }

    [Fact]
    public void Retry_after_is_named_in_the_advice()
    {
        var error = ApiErrorReader.Read(HttpStatusCode.TooManyRequests, null, null, null, TimeSpan.FromSeconds(30));

        Assert.Contains("wait 30 s", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }
}
