using System.Text;
using Gateway.Chat;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

public sealed class OpenAIErrorEnvelopeTests
{
    [Theory]
    [InlineData("""{"error":{"type":"invalid_request_error","message":"bad key","code":"x"}}""", "bad key")]
    [InlineData("""{"error":"plain text"}""", "plain text")]
    [InlineData("""{"message":"outer","error":{"message":"inner"}}""", "inner")]
    [InlineData("""{"error":{"message":5,"code":"x"},"message":"fallback"}""", "fallback")]
    [InlineData("""{"error":null,"message":"fallback"}""", "fallback")]
    [InlineData("""{"error":{"code":"x"},"detail":"from detail"}""", "from detail")]
    [InlineData("""{"msg":"first","detail":"second"}""", "first")]
    [InlineData("""{"other":{"message":"nested elsewhere"},"error_msg":"from error_msg"}""", "from error_msg")]
    [InlineData("""{"message":{"text":"not a string"},"detail":"d"}""", "d")]
    [InlineData("""{"error":{"code":{"message":"inside code"},"message":"the error's"}}""", "the error's")]
    [InlineData("""{"error":["message","in an array"],"msg":"m"}""", "m")]
    public void ExtractMessage_CommonShapes_GiveTheMessage(string body, string expected)
    {
        Assert.Equal(expected, OpenAIErrorEnvelope.ExtractMessage(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("""{"error":{"code":"x"}}""")]
    [InlineData("""{"status":500}""")]
    [InlineData("""["message"]""")]
    [InlineData("""not json""")]
    [InlineData("""{"error":{"code":""")]
    [InlineData("")]
    public void ExtractMessage_NoMessage_IsNull(string body)
    {
        Assert.Null(OpenAIErrorEnvelope.ExtractMessage(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Serialize_WritesEveryFieldWithParamOrNull()
    {
        var withParam = OpenAIErrorEnvelope.Serialize(GatewayError.InvalidRequest("invalid_request", "n must be <= 8", "n"));
        var withoutParam = OpenAIErrorEnvelope.Serialize(GatewayError.InvalidApiKey());

        Assert.Equal("""{"error":{"message":"n must be <= 8","type":"invalid_request_error","code":"invalid_request","param":"n"}}""", Encoding.UTF8.GetString(withParam.Span));
        Assert.Equal("""{"error":{"message":"Incorrect or missing API key.","type":"invalid_request_error","code":"invalid_api_key","param":null}}""", Encoding.UTF8.GetString(withoutParam.Span));
    }
}
