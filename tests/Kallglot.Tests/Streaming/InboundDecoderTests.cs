using System.Net.WebSockets;
using System.Text;
using Kallglot.Security;
using Kallglot.Streaming;
using Kallglot.Streaming.Events;
using Websocket.Client;

namespace Kallglot.Tests.Streaming;

/// <summary>Events a server sends in binary frames: read as text events are, masked as they are, and refused when they are not JSON in UTF-8.</summary>
public sealed class InboundDecoderTests
{
    private static readonly KallglotSecret Token = new("tok+ab/cd");

    private static KallglotEvent DecodeBinary(byte[] bytes) =>
        new InboundDecoder("sess_b", 1024 * 1024, recorder: null, Token).Decode(ResponseMessage.BinaryMessage(bytes), WebSocketMessageType.Binary, null, DateTimeOffset.UtcNow);

    [Fact]
    public void A_json_event_in_a_binary_frame_is_read_and_masked_as_a_text_one_is()
    {
        var final = Assert.IsType<TranscriptFinalEvent>(DecodeBinary(Encoding.UTF8.GetBytes("""
             {"type":"transcript.final","speaker":"caller","text":"token tok+ab/cd, é"}
            """)));

        Assert.Equal("token ***, é", final.Text);
        Assert.DoesNotContain("ab/cd", final.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sip_password_an_event_repeats_from_the_routing_is_masked()
    {
        var streamEvent = DecodeBinary(Encoding.UTF8.GetBytes("""{"type":"session.ready","routing":{"sip_uri":"sip:agent:pass-1@pbx.example.test"}}"""));

        Assert.DoesNotContain("pass-1", streamEvent.Json, StringComparison.Ordinal);
        Assert.Contains("sip:agent:***@pbx.example.test", streamEvent.Json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}' })]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'{', (byte)'}' })]
    [InlineData(new byte[] { (byte)'[', (byte)'{', (byte)'}', (byte)']' })]
    [InlineData(new byte[0])]
    public void A_binary_frame_that_is_not_a_json_object_in_utf8_is_a_client_error(byte[] bytes)
    {
        var error = Assert.IsType<StreamErrorEvent>(DecodeBinary(bytes));

        Assert.Equal("binary_message", error.Code);
        Assert.True(error.FromClient);
    }
}
