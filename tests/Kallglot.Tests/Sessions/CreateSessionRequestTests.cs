using System.Collections;
using Kallglot.Errors;
using Kallglot.Sessions;

namespace Kallglot.Tests.Sessions;

public sealed class CreateSessionRequestTests
{
    [Theory]
    [InlineData("+14155550100")]
    [InlineData("+442071838750")]
    [InlineData(" +4930123456 ")]
    public void E164_numbers_are_accepted(string number)
    {
        CreateSessionRequest.ForPhoneNumber(number).Validate();
    }

    [Theory]
    [InlineData("14155550100")]
    [InlineData("+0155550100")]
    [InlineData("+1 415 555 0100")]
    [InlineData("+1415555010012345")]
    [InlineData("")]
    [InlineData("+abc")]
    public void Numbers_not_in_E164_are_refused_with_an_example(string number)
    {
        var error = Assert.Throws<KallglotValidationException>(() => CreateSessionRequest.ForPhoneNumber(number).Validate());

        Assert.Equal("invalid_phone_number", error.ErrorId);
        Assert.Equal("PhoneNumber", error.ParameterName);
        Assert.Contains("+14155550100", error.Message);
    }

    [Fact]
    public void Provider_in_additional_properties_is_refused()
    {
        var request = CreateSessionRequest.ForPhoneNumber("+14155550100");
        request.AdditionalProperties["provider"] = new Hashtable { ["type"] = "twilio" };

        var error = Assert.Throws<KallglotValidationException>(request.Validate);

        Assert.Equal("provider_not_supported", error.ErrorId);
        Assert.Contains("routing", error.Message);
    }

    [Theory]
    [InlineData("routing")]
    [InlineData("source_language")]
    [InlineData("Target_Language")]
    public void Properties_the_cmdlet_sets_itself_are_refused(string key)
    {
        var request = CreateSessionRequest.ForConnectionId("conn_1");
        request.AdditionalProperties[key] = "x";

        Assert.Equal("reserved_property", Assert.Throws<KallglotValidationException>(request.Validate).ErrorId);
    }

    [Fact]
    public void Sip_holding_a_second_routing_kind_is_refused()
    {
        var request = CreateSessionRequest.ForSip(new Hashtable { ["sip_uri"] = "sip:a@example.com", ["phone_number"] = "+14155550100" });

        Assert.Equal("invalid_routing", Assert.Throws<KallglotValidationException>(request.Validate).ErrorId);
    }

    [Fact]
    public void Empty_sip_is_refused()
    {
        Assert.Equal("invalid_routing", Assert.Throws<KallglotValidationException>(CreateSessionRequest.ForSip(new Hashtable()).Validate).ErrorId);
    }

    [Theory]
    [InlineData("english")]
    [InlineData("e")]
    [InlineData("en_US")]
    public void Malformed_language_tags_are_refused(string tag)
    {
        var request = CreateSessionRequest.ForPhoneNumber("+14155550100");
        request.TargetLanguage = tag;

        var error = Assert.Throws<KallglotValidationException>(request.Validate);

        Assert.Equal("invalid_language", error.ErrorId);
        Assert.Equal("TargetLanguage", error.ParameterName);
    }

    [Fact]
    public void Json_carries_routing_languages_and_extra_fields_but_no_provider()
    {
        var request = CreateSessionRequest.ForSip(new Hashtable { ["sip_uri"] = "sip:agent@example.com", ["sip_headers"] = new Hashtable { ["X-Team"] = "blue" } });
        request.SourceLanguage = "en";
        request.TargetLanguage = "pt-BR";
        request.AdditionalProperties["metadata"] = new Dictionary<string, object?> { ["ticket"] = 42 };
        request.Validate();

        var json = request.ToJson();

        Assert.Equal("sip:agent@example.com", (string?)json["routing"]!["sip_uri"]);
        Assert.Equal("blue", (string?)json["routing"]!["sip_headers"]!["X-Team"]);
        Assert.Equal("pt-BR", (string?)json["target_language"]);
        Assert.Equal(42, (long)json["metadata"]!["ticket"]!);
        Assert.Null(json["provider"]);
    }

    [Fact]
    public void Omitted_languages_are_not_sent()
    {
        var json = CreateSessionRequest.ForPhoneNumber("+14155550100").ToJson();

        Assert.False(json.ContainsKey("source_language"));
        Assert.False(json.ContainsKey("target_language"));
    }
}
