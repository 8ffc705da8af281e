using System.Net;
using Kallglot.Credits;
using Kallglot.Errors;

namespace Kallglot.Tests.Credits;

public sealed class CreditReservationTests
{
    public static TheoryData<string, bool> Failures => new()
    {
        { "a bad value, refused before it was sent", true },
        { "no API key, refused before it was sent", true },
        { "402 from the API", true },
        { "503 from a gateway", false },
        { "a broken connection", false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_a_request_refused_before_it_was_sent_or_with_a_4xx_gives_its_credit_back(string failure, bool costNothing)
    {
        Exception exception = failure switch
        {
            "a bad value, refused before it was sent" => new KallglotValidationException("invalid_phone_number", "PhoneNumber", "bad"),
            "no API key, refused before it was sent" => new KallglotException("api_key_missing", KallglotErrorKind.Authentication, "no key"),
            "402 from the API" => new KallglotApiException("insufficient_api_credits", KallglotErrorKind.QuotaExceeded, "none left", HttpStatusCode.PaymentRequired),
            "503 from a gateway" => new KallglotApiException("service_unavailable", KallglotErrorKind.ServiceError, "busy", HttpStatusCode.ServiceUnavailable),
            _ => new KallglotException("connection_failed", KallglotErrorKind.Connection, "reset"),
        };

        Assert.Equal(costNothing, CreditReservation.CostNothing(exception));
    }
}
