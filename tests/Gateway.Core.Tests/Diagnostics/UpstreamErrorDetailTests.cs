using System.Text;
using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Tests.Diagnostics;

public sealed class UpstreamErrorDetailTests
{
    [Fact]
    public void Read_OpenAIEnvelope_TypeCodeAndMessage()
    {
        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes("""{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota","param":null}}"""));

        Assert.Equal(new UpstreamErrorDetail("insufficient_quota", "insufficient_quota", "You exceeded your current quota"), detail);
    }

    [Fact]
    public void Read_AnthropicEnvelope_InnerTypeWins()
    {
        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"""));

        Assert.Equal("authentication_error", detail!.Type);
        Assert.Null(detail.Code);
        Assert.Equal("invalid x-api-key", detail.Message);
    }

    [Fact]
    public void Read_GeminiEnvelope_StatusAsTypeNumericCode()
    {
        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes("""{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"""));

        Assert.Equal(new UpstreamErrorDetail("RESOURCE_EXHAUSTED", "429", "Resource has been exhausted (e.g. check quota)."), detail);
    }

    [Fact]
    public void Read_FlatShapeWithNumericCode()
    {
        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes("""{"success":false,"code":40101,"msg":"token expired"}"""));

        Assert.Equal("40101", detail!.Code);
        Assert.Equal("token expired", detail.Message);
    }

    [Theory]
    [InlineData("Incorrect API key provided: sk-proj-abcdefghijklmnop1234. You can find your key", "sk-proj-abcdefghijklmnop1234")]
    [InlineData("bad header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("key AIzaSyA1234567890abcdefghijklmnopq rejected", "AIzaSyA1234567890abcdefghijklmnopq")]
    [InlineData("token 0123456789abcdef0123456789abcdef0123 is invalid", "0123456789abcdef0123456789abcdef0123")]
    public void Read_MessageWithACredential_IsRedacted(string message, string secret)
    {
        var body = "{\"error\":{\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + ",\"type\":\"invalid_request_error\"}}";

        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes(body));

        Assert.DoesNotContain(secret, detail!.Message!, StringComparison.Ordinal);
        Assert.Contains("***", detail.Message!, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LongMessage_KeepsTheFirst200Characters()
    {
        var message = string.Concat(Enumerable.Repeat("billing problem ", 40));

        var detail = UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"" + message + "\"}}"));

        Assert.Equal(200, detail!.Message!.Length);
        Assert.StartsWith("billing problem billing", detail.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("{\"ok\":true}")]
    [InlineData("[1,2]")]
    public void Read_NoErrorInside_IsNull(string body) => Assert.Null(UpstreamErrorDetail.Read(Encoding.UTF8.GetBytes(body)));
}
