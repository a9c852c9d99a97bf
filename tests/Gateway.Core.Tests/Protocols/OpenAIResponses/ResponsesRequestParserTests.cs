using System.Text;
using Gateway.Chat;
using Gateway.Protocols.OpenAIResponses;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>What an inbound Responses request says, and the 400 of one that cannot be served.</summary>
public sealed class ResponsesRequestParserTests
{
    private const string M = "\"model\":\"m\",";
    private const string Input = "\"input\":\"hi\"";

    [Theory]
    [InlineData("{" + Input + "}", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("{\"model\":5," + Input + "}", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("{\"model\":\" \"," + Input + "}", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("{\"model\":\"\\ud800\"," + Input + "}", "invalid_json", "model: the string is not valid Unicode (an escaped lone surrogate)", "model")]
    [InlineData("{\"model\":\"m\"}", "invalid_request", "'input' must be a string or an array of input items", "input")]
    [InlineData("{" + M + "\"input\":{}}", "invalid_request", "'input' must be a string or an array of input items", "input")]
    [InlineData("{" + M + "\"input\":null}", "invalid_request", "'input' must be a string or an array of input items", "input")]
    [InlineData("{" + M + "\"input\":[]}", "invalid_request", "'input' must not be empty", "input")]
    [InlineData("{" + M + "\"input\":[\"hi\"]}", "invalid_request", "input[0] must be an object", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":\"a\"},{\"content\":\"b\"}]}", "invalid_request", "input[1] must have a 'type' (or, for a message, a 'role')", "input")]
    [InlineData("{" + M + "\"input\":[{\"type\":5}]}", "invalid_request", "input[0].type must be a string", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":[\"user\"]}]}", "invalid_request", "input[0].role must be a string", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":5}]}", "invalid_request", "input[0].content must be a string or an array of content parts, each with a string 'type'", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}", "invalid_request", "input[0].content must be a string or an array of content parts, each with a string 'type'", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":[\"a\"]}]}", "invalid_request", "input[0].content must be a string or an array of content parts, each with a string 'type'", "input")]
    [InlineData("{" + M + "\"instructions\":5," + Input + "}", "invalid_request", "'instructions' must be a string", "instructions")]
    [InlineData("{" + M + "\"tools\":{}," + Input + "}", "invalid_request", "'tools' must be an array of tools, each with a string 'type'", "tools")]
    [InlineData("{" + M + "\"tools\":[{\"name\":\"f\"}]," + Input + "}", "invalid_request", "'tools' must be an array of tools, each with a string 'type'", "tools")]
    [InlineData("{" + M + "\"tools\":[1]," + Input + "}", "invalid_request", "'tools' must be an array of tools, each with a string 'type'", "tools")]
    [InlineData("{" + M + "\"reasoning\":\"high\"," + Input + "}", "invalid_request", "'reasoning' must be an object", "reasoning")]
    [InlineData("{" + M + "\"text\":[]," + Input + "}", "invalid_request", "'text' must be an object", "text")]
    [InlineData("{" + M + "\"metadata\":1," + Input + "}", "invalid_request", "'metadata' must be an object", "metadata")]
    [InlineData("{" + M + "\"include\":\"x\"," + Input + "}", "invalid_request", "'include' must be an array", "include")]
    [InlineData("{" + M + "\"previous_response_id\":5," + Input + "}", "invalid_request", "'previous_response_id' must be a string", "previous_response_id")]
    [InlineData("{" + M + "\"prompt_cache_key\":{}," + Input + "}", "invalid_request", "'prompt_cache_key' must be a string", "prompt_cache_key")]
    [InlineData("{" + M + "\"prompt_cache_key\":\"\\udc00\"," + Input + "}", "invalid_json", "prompt_cache_key: the string is not valid Unicode (an escaped lone surrogate)", "prompt_cache_key")]
    [InlineData("{" + M + "\"max_output_tokens\":0," + Input + "}", "invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens")]
    [InlineData("{" + M + "\"max_output_tokens\":2.5," + Input + "}", "invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens")]
    [InlineData("{" + M + "\"max_output_tokens\":\"9\"," + Input + "}", "invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens")]
    [InlineData("{" + M + "\"stream\":\"yes\"," + Input + "}", "invalid_request", "'stream' must be a boolean", "stream")]
    [InlineData("{" + M + "\"max_output_tokens\":-1," + Input + "}", "invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens")]
    [InlineData("{" + M + "\"max_output_tokens\":3000000000," + Input + "}", "invalid_request", "'max_output_tokens' must be a positive integer", "max_output_tokens")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":5}]}]}", "invalid_request", "input[0].content must be a string or an array of content parts, each with a string 'type'", "input")]
    [InlineData("{" + M + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"a\"},{\"text\":\"b\",\"type\":null}]}]}", "invalid_request", "input[0].content must be a string or an array of content parts, each with a string 'type'", "input")]
    [InlineData("{" + M + "\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"a\"},{\"type\":\"reasoning\"},{\"id\":\"x\"}]}", "invalid_request", "input[2] must have a 'type' (or, for a message, a 'role')", "input")]
    [InlineData("{" + M + "\"tools\":[{\"type\":\"function\"},{\"type\":5}]," + Input + "}", "invalid_request", "'tools' must be an array of tools, each with a string 'type'", "tools")]
    [InlineData("{" + M + "\"previous_response_id\":{}," + Input + "}", "invalid_request", "'previous_response_id' must be a string", "previous_response_id")]
    [InlineData("{" + M + "\"include\":{}," + Input + "}", "invalid_request", "'include' must be an array", "include")]
    public void TryParse_RequestItCannotServe_NamesCodeMessageAndParam(string body, string code, string message, string param)
    {
        Assert.False(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream: false, out var request, out var error));

        Assert.Null(request);
        Assert.Equal((code, message, param), (error!.Code, error.Message, error.Param));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1]")]
    public void TryParse_NotAJsonObject_InvalidJsonWithoutParam(string body)
    {
        Assert.False(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out _, out var error));

        Assert.Equal(("invalid_json", (string?)null), (error!.Code, error.Param));
    }

    [Fact]
    public void TryParse_ValidRequest_ReadsWhatRoutingUses()
    {
        const string body = """
            {"model":"gpt-x","instructions":"be brief","prompt_cache_key":"session-7","max_output_tokens":64,
             "input":[{"role":"user","content":[{"type":"input_text","text":"a"}]},
                      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
                      {"type":"function_call_output","call_id":"c1","output":"r"},
                      {"role":"assistant","content":"b","extra":{"nested":[1,{"type":2}]}}],
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],
             "reasoning":{"effort":"low"},"text":{"format":{"type":"text"}},"include":["reasoning.encrypted_content"],
             "metadata":null,"previous_response_id":null,"stream":true}
            """;

        Assert.True(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream: false, out var request, out var error), error?.Message);

        Assert.Equal(WireFormat.OpenAIResponses, request!.Format);
        Assert.Equal("gpt-x", request.Model);
        Assert.True(request.Stream);
        Assert.True(request.HasTools);
        Assert.Equal("session-7", request.SessionHint);
        Assert.Equal(1, request.ChoiceCount);
        Assert.False(request.ClientWantsUsage);
        Assert.Null(request.ThinkingBudget);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData(null, true, true)]
    [InlineData("null", true, true)]
    [InlineData("false", true, false)]
    [InlineData("true", false, true)]
    public void TryParse_Stream_FromTheBodyOrTheAcceptHeader(string? stream, bool acceptsEventStream, bool expected)
    {
        var body = "{" + M + (stream is null ? string.Empty : "\"stream\":" + stream + ",") + Input + "}";

        Assert.True(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream, out var request, out _));

        Assert.Equal(expected, request!.Stream);
    }

    [Theory]
    [InlineData("\"tools\":[],", false, null)]
    [InlineData("\"tools\":null,", false, null)]
    [InlineData("\"prompt_cache_key\":null,", false, null)]
    [InlineData("\"tools\":[{\"type\":\"web_search\"}],\"prompt_cache_key\":\"k\",", true, "k")]
    [InlineData("\"instructions\":null,\"max_output_tokens\":null,", false, null)]
    [InlineData("\"instructions\":\"i\",\"max_output_tokens\":1,\"include\":null,\"reasoning\":null,\"text\":null,\"previous_response_id\":\"r\",", false, null)]
    [InlineData("\"tools\":[{\"name\":\"f\",\"type\":\"function\"}],", true, null)]
    public void TryParse_OptionalMembers_ToolsAndSessionHint(string members, bool hasTools, string? hint)
    {
        Assert.True(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes("{" + M + members + Input + "}"), false, out var request, out var error), error?.Message);

        Assert.Equal((hasTools, hint), (request!.HasTools, request.SessionHint));
    }

    [Theory]
    [InlineData("[{\"role\":\"user\",\"content\":null}]")]
    [InlineData("[{\"content\":[{\"text\":\"a\",\"type\":\"input_text\"}],\"role\":\"user\"}]")]
    [InlineData("[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":[{\"type\":\"input_text\",\"text\":\"r\"}]},{\"role\":\"user\",\"content\":\"q\"}]")]
    public void TryParse_InputItemsItAccepts(string input)
    {
        Assert.True(ResponsesRequestParser.TryParse(Encoding.UTF8.GetBytes("{" + M + "\"input\":" + input + "}"), false, out var request, out var error), error?.Message);

        Assert.Equal("m", request!.Model);
    }
}
