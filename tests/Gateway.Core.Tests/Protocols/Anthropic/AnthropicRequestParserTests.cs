using System.Text;
using Gateway.Chat;
using Gateway.Protocols.Anthropic;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

/// <summary>What an inbound Anthropic Messages request says, and the 400 of one that cannot be served.</summary>
public sealed class AnthropicRequestParserTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]";
    private const string M = "\"model\":\"m\",";

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"q"}]}""", "invalid_request", "model: a string is required", "model")]
    [InlineData("""{"model":5,""" + Messages + "}", "invalid_request", "model: a string is required", "model")]
    [InlineData("""{"model":"  ",""" + Messages + "}", "invalid_request", "model: a string is required", "model")]
    [InlineData("""{"model":"\ud800",""" + Messages + "}", "invalid_json", "model: the string is not valid Unicode (an escaped lone surrogate)", "model")]
    [InlineData("""{"model":"m"}""", "invalid_request", "messages: an array is required", "messages")]
    [InlineData("""{"model":"m","messages":{"role":"user","content":"q"}}""", "invalid_request", "messages: an array is required", "messages")]
    [InlineData("""{"model":"m","messages":[]}""", "invalid_request", "messages: at least one message is required", "messages")]
    [InlineData("""{"model":"m","messages":[1]}""", "invalid_request", "messages.0: must be an object", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"},{"role":"tool","content":"b"}]}""", "invalid_request", "messages.1.role: must be \"user\", \"assistant\" or \"system\"", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":5,"content":"b"}]}""", "invalid_request", "messages.0.role: must be \"user\", \"assistant\" or \"system\"", "messages")]
    [InlineData("""{"model":"m","messages":[{"content":"b"}]}""", "invalid_request", "messages.0.role: must be \"user\", \"assistant\" or \"system\"", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"\ud800","content":"b"}]}""", "invalid_json", "messages.0.role: the string is not valid Unicode (an escaped lone surrogate)", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}]}""", "invalid_request", "messages.0.content: a string or an array of content blocks is required", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":5}]}""", "invalid_request", "messages.0.content: a string or an array of content blocks is required", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":null}]}""", "invalid_request", "messages.0.content: a string or an array of content blocks is required", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}""", "invalid_request", "messages.0.content: each block must be an object with a type", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":1}]}]}""", "invalid_request", "messages.0.content: each block must be an object with a type", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":["x"]}]}""", "invalid_request", "messages.0.content: each block must be an object with a type", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"text":"b"}]}]}""", "invalid_request", "messages.0.content: each block must be an object with a type", "messages")]
    [InlineData("{" + M + "\"tools\":{}," + Messages + "}", "invalid_request", "tools: must be an array", "tools")]
    [InlineData("{" + M + "\"tools\":[1]," + Messages + "}", "invalid_request", "tools: each tool must be an object", "tools")]
    [InlineData("{" + M + "\"tools\":[{\"name\":\"f\"},\"g\"]," + Messages + "}", "invalid_request", "tools: each tool must be an object", "tools")]
    [InlineData("{" + M + "\"tool_choice\":\"auto\"," + Messages + "}", "invalid_request", "tool_choice: must be an object", "tool_choice")]
    [InlineData("{" + M + "\"thinking\":[]," + Messages + "}", "invalid_request", "thinking: must be an object", "thinking")]
    [InlineData("{" + M + "\"metadata\":1," + Messages + "}", "invalid_request", "metadata: must be an object", "metadata")]
    [InlineData("{" + M + "\"output_config\":\"x\"," + Messages + "}", "invalid_request", "output_config: must be an object", "output_config")]
    [InlineData("{" + M + "\"stop_sequences\":\"x\"," + Messages + "}", "invalid_request", "stop_sequences: must be an array", "stop_sequences")]
    [InlineData("{" + M + "\"system\":5," + Messages + "}", "invalid_request", "system: must be a string or an array of text blocks", "system")]
    [InlineData("{" + M + "\"system\":{\"type\":\"text\"}," + Messages + "}", "invalid_request", "system: must be a string or an array of text blocks", "system")]
    [InlineData("{" + M + "\"system\":[{\"text\":\"x\"}]," + Messages + "}", "invalid_request", "system: must be a string or an array of text blocks", "system")]
    [InlineData("{" + M + "\"max_tokens\":0," + Messages + "}", "invalid_request", "max_tokens: must be a positive integer", "max_tokens")]
    [InlineData("{" + M + "\"max_tokens\":-1," + Messages + "}", "invalid_request", "max_tokens: must be a positive integer", "max_tokens")]
    [InlineData("{" + M + "\"max_tokens\":1.5," + Messages + "}", "invalid_request", "max_tokens: must be a positive integer", "max_tokens")]
    [InlineData("{" + M + "\"max_tokens\":\"10\"," + Messages + "}", "invalid_request", "max_tokens: must be a positive integer", "max_tokens")]
    [InlineData("{" + M + "\"max_tokens\":null," + Messages + "}", "invalid_request", "max_tokens: must be a positive integer", "max_tokens")]
    [InlineData("{" + M + "\"stream\":\"yes\"," + Messages + "}", "invalid_request", "stream: must be a boolean", "stream")]
    [InlineData("{" + M + "\"stream\":1," + Messages + "}", "invalid_request", "stream: must be a boolean", "stream")]
    public void TryParse_RequestItCannotServe_NamesCodeMessageAndParam(string body, string code, string message, string param)
    {
        Assert.False(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream: false, countTokens: false, out var request, out var error));

        Assert.Null(request);
        Assert.Equal((code, message, param), (error!.Code, error.Message, error.Param));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"model":"m",}""")]
    public void TryParse_NotAJsonObject_InvalidJsonWithoutParam(string body)
    {
        Assert.False(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out var error));

        Assert.Null(request);
        Assert.Equal("invalid_json", error!.Code);
        Assert.Null(error.Param);
        Assert.StartsWith("the request body ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ValidRequest_ReadsWhatRoutingUses()
    {
        const string body = """
            {"model":"claude-x","max_tokens":1024,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image","source":{"type":"base64","data":"x"}}]},
                         {"role":"assistant","name":{"nested":[1,{"a":2}]},"content":"b"},
                         {"role":"system","content":"mid-conversation instructions"},
                         {"content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"r"}]}],"role":"user"}],
             "tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"},"metadata":null,"stop_sequences":["x"],
             "thinking":{"type":"enabled","budget_tokens":2048},"stream":true}
            """;

        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream: false, countTokens: false, out var request, out var error));

        Assert.Null(error);
        Assert.Equal(WireFormat.AnthropicMessages, request!.Format);
        Assert.Equal("claude-x", request.Model);
        Assert.True(request.Stream);
        Assert.True(request.HasTools);
        Assert.Equal(2048, request.ThinkingBudget);
        Assert.Equal(1, request.ChoiceCount);
        Assert.False(request.ClientWantsUsage);
        Assert.False(request.LegacyFunctions);
    }

    [Theory]
    [InlineData(null, false, false, false)]
    [InlineData(null, true, false, true)]
    [InlineData("null", true, false, true)]
    [InlineData("true", false, false, true)]
    [InlineData("false", true, false, false)]
    [InlineData("true", true, true, false)]
    [InlineData("\"yes\"", true, true, false)]
    public void TryParse_Stream_FromTheBodyOrTheAcceptHeader_NeverForCountTokens(string? stream, bool acceptsEventStream, bool countTokens, bool expected)
    {
        var body = "{" + M + (stream is null ? string.Empty : "\"stream\":" + stream + ",") + Messages + "}";

        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream, countTokens, out var request, out var error), error?.Message);

        Assert.Equal(expected, request!.Stream);
    }

    [Fact]
    public void TryParse_CountTokens_MaxTokensIsNotChecked()
    {
        var body = "{" + M + "\"max_tokens\":0," + Messages + "}";

        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, countTokens: true, out var request, out _));
        Assert.False(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, countTokens: false, out _, out _));
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData("\"tools\":[],", false)]
    [InlineData("\"tools\":null,", false)]
    [InlineData("", false)]
    [InlineData("\"tools\":[{\"name\":\"f\"}],", true)]
    public void TryParse_HasTools_OnlyForANonEmptyList(string tools, bool expected)
    {
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes("{" + M + tools + Messages + "}"), false, false, out var request, out _));

        Assert.Equal(expected, request!.HasTools);
    }

    [Theory]
    [InlineData("""{"type":"enabled","budget_tokens":1024}""", 1024)]
    [InlineData("""{"budget_tokens":1024,"type":"enabled"}""", 1024)]
    [InlineData("""{"type":"enabled","extra":{"a":[1,2]},"budget_tokens":7}""", 7)]
    [InlineData("""{"type":"disabled","budget_tokens":1024}""", null)]
    [InlineData("""{"type":"enabled","budget_tokens":0}""", null)]
    [InlineData("""{"type":"enabled","budget_tokens":-5}""", null)]
    [InlineData("""{"type":"enabled","budget_tokens":"5"}""", null)]
    [InlineData("""{"type":"enabled"}""", null)]
    [InlineData("""{"type":1,"budget_tokens":10}""", null)]
    [InlineData("null", null)]
    public void TryParse_ThinkingBudget_OnlyWhenEnabledWithAPositiveBudget(string thinking, int? expected)
    {
        var body = "{" + M + "\"thinking\":" + thinking + "," + Messages + "}";

        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, false, out var request, out var error), error?.Message);

        Assert.Equal(expected, request!.ThinkingBudget);
    }

    [Theory]
    [InlineData("\"system\":\"s\",")]
    [InlineData("\"system\":null,")]
    [InlineData("\"system\":[],")]
    [InlineData("\"system\":[{\"type\":\"text\",\"text\":\"s\"}],")]
    [InlineData("\"tools\":null,\"tool_choice\":null,\"thinking\":null,\"output_config\":{},\"stop_sequences\":null,")]
    public void TryParse_OptionalMembersInTheirShapes_Accepted(string members)
    {
        Assert.True(AnthropicRequestParser.TryParse(Encoding.UTF8.GetBytes("{" + M + members + Messages + "}"), false, false, out var request, out var error), error?.Message);
        Assert.NotNull(request);
    }
}
