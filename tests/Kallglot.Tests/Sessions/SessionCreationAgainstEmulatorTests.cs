using System.Collections;
using Kallglot.Emulator;
using Kallglot.Errors;
using Kallglot.Sessions;
using Kallglot.Tests.Infrastructure;

namespace Kallglot.Tests.Sessions;

public sealed class SessionCreationAgainstEmulatorTests
{
    [Theory]
    [InlineData(ResponseShape.Canonical)]
    [InlineData(ResponseShape.Flat)]
    [InlineData(ResponseShape.Nested)]
    [InlineData(ResponseShape.UrlOnly)]
    public async Task Every_response_shape_gives_a_session_whose_stream_opens(ResponseShape shape)
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.ResponseShape = shape);

        var session = await emulator.CreateSessionAsync();
        await using var stream = await Kallglot.Streaming.KallglotStream.ConnectAsync(session);
        var first = await stream.NextAsync();

        Assert.StartsWith("sess_", session.Id);
        Assert.Equal("session.ready", first.Type);
        Assert.True(session.TokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(4));
    }

    [Fact]
    public async Task Varying_shapes_over_many_sessions_all_read()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => { o.ResponseShape = ResponseShape.Varying; o.Seed = 7; });

        var ids = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await emulator.CreateSessionAsync()).Id);
        }

        Assert.Equal(12, ids.Count);
    }

    [Fact]
    public async Task Credits_are_reported_and_consumed_one_per_session()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.InitialCredits = 5);

        var first = await emulator.CreateSessionAsync();
        var second = await emulator.CreateSessionAsync();

        Assert.Equal(4, first.CreditsRemaining);
        Assert.Equal(3, second.CreditsRemaining);
        Assert.Equal(2, second.CreditsUsed);
        Assert.NotNull(second.RequestId);
    }

    [Fact]
    public async Task Each_routing_kind_is_accepted_and_echoed()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var byConnection = await emulator.Client.CreateSessionAsync(CreateSessionRequest.ForConnectionId("conn_42"));
        var bySip = await emulator.Client.CreateSessionAsync(CreateSessionRequest.ForSip(new Hashtable { ["sip_uri"] = "sip:agent@example.com" }));

        Assert.Equal("conn_42", byConnection.Routing["connection_id"]);
        Assert.Equal("sip:agent@example.com", bySip.Routing["sip_uri"]);
        Assert.NotNull(bySip.Provider);
    }

    [Theory]
    [InlineData(ErrorShape.Nested)]
    [InlineData(ErrorShape.Flat)]
    [InlineData(ErrorShape.Empty)]
    public async Task No_credits_gives_insufficient_api_credits_in_every_error_shape(ErrorShape shape)
    {
        await using var emulator = await EmulatorScope.StartAsync(o => { o.InitialCredits = 0; o.ErrorShape = shape; });

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => emulator.CreateSessionAsync());

        Assert.Equal("insufficient_api_credits", error.ErrorId);
        Assert.Equal(KallglotErrorKind.QuotaExceeded, error.Kind);
        Assert.Equal(0, error.Credits?.Remaining);
    }

    [Fact]
    public async Task Inactive_organization_gives_organization_inactive()
    {
        await using var emulator = await EmulatorScope.StartAsync(o => o.OrganizationActive = false);

        var error = await Assert.ThrowsAsync<KallglotApiException>(() => emulator.CreateSessionAsync());

        Assert.Equal("organization_inactive", error.ErrorId);
        Assert.Equal(KallglotErrorKind.PermissionDenied, error.Kind);
    }

    [Fact]
    public async Task Wrong_key_gives_unauthorized_without_the_key_in_the_message()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var error = await Assert.ThrowsAsync<KallglotApiException>(() =>
            emulator.NewClient("kg_wrong_key_123").CreateSessionAsync(CreateSessionRequest.ForPhoneNumber("+14155550100")));

        Assert.Equal("unauthorized", error.ErrorId);
        Assert.DoesNotContain("kg_wrong_key_123", error.Message);
    }

    [Fact]
    public async Task Server_side_validation_errors_come_back_as_invalid_argument()
    {
        await using var emulator = await EmulatorScope.StartAsync();

        var error = await Assert.ThrowsAsync<KallglotApiException>(() =>
            emulator.Client.SendAsync(HttpMethod.Post, "/v1/sessions", System.Text.Json.Nodes.JsonNode.Parse("""{"routing":{"phone_number":"12"}}""")));

        Assert.Equal(422, (int)error.StatusCode);
        Assert.Equal(KallglotErrorKind.InvalidArgument, error.Kind);
    }
}
