using System.Text;
using Gateway.Protocols.OpenAIChat;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIChat;

/// <summary>What an inbound chat request says, and the 400 of one that cannot be served.</summary>
public sealed class OpenAIChatRequestParserTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]";

    [Theory]
    [InlineData("""{"messages":[{"role":"user"}]}""", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("""{"model":5,"messages":[{"role":"user"}]}""", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("""{"model":"  ","messages":[{"role":"user"}]}""", "invalid_request", "you must provide a model parameter (a string)", "model")]
    [InlineData("""{"model":"\ud800","messages":[{"role":"user"}]}""", "invalid_json", "model: the string is not valid Unicode (an escaped lone surrogate)", "model")]
    [InlineData("""{"model":"m"}""", "invalid_request", "'messages' must be a non-empty array", "messages")]
    [InlineData("""{"model":"m","messages":[]}""", "invalid_request", "'messages' must be a non-empty array", "messages")]
    [InlineData("""{"model":"m","messages":{"role":"user"}}""", "invalid_request", "'messages' must be a non-empty array", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user"},"hi"]}""", "invalid_request", "messages[1] must be an object with a string 'role'", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user"},{"content":"no role"}]}""", "invalid_request", "messages[1] must be an object with a string 'role'", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":1}]}""", "invalid_request", "messages[0].role must be a string", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":5}]}""", "invalid_request", "messages[0].content must be a string, null or an array of content parts", "messages")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":["text"]}]}""", "invalid_request", "messages[0].content must be a string, null or an array of content parts", "messages")]
    [InlineData("""{"model":"m","stream":"yes",""" + Messages + "}", "invalid_request", "'stream' must be a boolean", "stream")]
    [InlineData("""{"model":"m","stream":true,"stream_options":true,""" + Messages + "}", "invalid_request", "'stream_options' must be an object", "stream_options")]
    [InlineData("""{"model":"m","tools":{},""" + Messages + "}", "invalid_request", "'tools' must be an array of objects", "tools")]
    [InlineData("""{"model":"m","tools":[{"type":1}],""" + Messages + "}", "invalid_request", "'tools' must be an array of objects", "tools")]
    [InlineData("""{"model":"m","tools":["f"],""" + Messages + "}", "invalid_request", "'tools' must be an array of objects", "tools")]
    [InlineData("""{"model":"m","functions":[1],""" + Messages + "}", "invalid_request", "'functions' must be an array of objects", "functions")]
    [InlineData("""{"model":"m","n":0,""" + Messages + "}", "invalid_request", "'n' must be an integer from 1 to 128", "n")]
    [InlineData("""{"model":"m","n":129,""" + Messages + "}", "invalid_request", "'n' must be an integer from 1 to 128", "n")]
    [InlineData("""{"model":"m","n":1.5,""" + Messages + "}", "invalid_request", "'n' must be an integer from 1 to 128", "n")]
    [InlineData("""{"model":"m","n":"2",""" + Messages + "}", "invalid_request", "'n' must be an integer from 1 to 128", "n")]
    public void TryParse_RequestItCannotServe_NamesCodeMessageAndParam(string body, string code, string message, string param)
    {
        Assert.False(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out var error));

        Assert.Null(request);
        Assert.Equal((code, message, param), (error!.Code, error.Message, error.Param));
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":null},{"role":"assistant","content":[{"type":"text","text":"a"}]},{"role":"new-role"}]}""")]
    [InlineData("""{"model":"m","tools":null,"functions":null,"n":null,"stream":null,"stream_options":null,""" + Messages + "}")]
    [InlineData("""{"model":"m","tools":[{"type":"function"},{"no":"type"}],"functions":[{"type":5}],""" + Messages + "}")]
    public void TryParse_ValidShapes_AreAccepted(string body)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out var error), error?.Message);
        Assert.Equal("m", request!.Model);
    }

    [Theory]
    [InlineData("""{"model":"m",""" + Messages + "}", false, false)]
    [InlineData("""{"model":"m",""" + Messages + "}", true, true)]
    [InlineData("""{"model":"m","stream":null,""" + Messages + "}", true, true)]
    [InlineData("""{"model":"m","stream":false,""" + Messages + "}", true, false)]
    [InlineData("""{"model":"m","stream":true,""" + Messages + "}", false, true)]
    public void TryParse_Stream_ExplicitFlagWinsOverAccept(string body, bool acceptsEventStream, bool stream)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), acceptsEventStream, out var request, out _));

        Assert.Equal(stream, request!.Stream);
    }

    [Theory]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"x":1,"include_usage":true},""" + Messages + "}", true)]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"include_usage":false},""" + Messages + "}", false)]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"include_usage":"true"},""" + Messages + "}", false)]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"other":true},""" + Messages + "}", false)]
    [InlineData("""{"model":"m","stream":false,"stream_options":{"include_usage":true},""" + Messages + "}", false)]
    public void TryParse_IncludeUsage_OnlyOnAStream(string body, bool wantsUsage)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out _));

        Assert.Equal(wantsUsage, request!.ClientWantsUsage);
    }

    [Theory]
    [InlineData("""{"model":"m",""" + Messages + "}", 1)]
    [InlineData("""{"model":"m","n":1,""" + Messages + "}", 1)]
    [InlineData("""{"model":"m","n":128,""" + Messages + "}", 128)]
    [InlineData("""{"model":"m","n":3,""" + Messages + "}", 3)]
    public void TryParse_N_IsTheChoiceCount(string body, int count)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out _));

        Assert.Equal(count, request!.ChoiceCount);
    }

    [Theory]
    [InlineData("""{"model":"m",""" + Messages + "}", false, false)]
    [InlineData("""{"model":"m","tools":[],"functions":[],""" + Messages + "}", false, false)]
    [InlineData("""{"model":"m","tools":[{"type":"function","function":{"name":"f"}}],""" + Messages + "}", true, false)]
    [InlineData("""{"model":"m","functions":[{"name":"f"}],""" + Messages + "}", true, true)]
    public void TryParse_ToolsAndLegacyFunctions_AreTold(string body, bool hasTools, bool legacy)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out _));

        Assert.Equal((hasTools, legacy), (request!.HasTools, request.LegacyFunctions));
    }

    [Theory]
    [InlineData("""{"model":"m","thinking":{"type":"enabled","budget_tokens":2048},""" + Messages + "}", 2048)]
    [InlineData("""{"model":"m","think":{"budgetTokens":64},""" + Messages + "}", 64)]
    [InlineData("""{"model":"m","thinking":{"type":"enabled","budget_tokens":0},"think":{"budget_tokens":9},""" + Messages + "}", 9)]
    [InlineData("""{"model":"m","providerOptions":{"a":1,"anthropic":{"thinking":{"type":"enabled","budgetTokens":300}}},""" + Messages + "}", 300)]
    [InlineData("""{"model":"m","providerOptions":{"x":{"think":{"budget_tokens":"5"}},"y":{"think":{"budget_tokens":5}}},""" + Messages + "}", 5)]
    [InlineData("""{"model":"m","thinking":{"type":"enabled"},""" + Messages + "}", null)]
    [InlineData("""{"model":"m","thinking":{"budget_tokens":-1},""" + Messages + "}", null)]
    [InlineData("""{"model":"m","thinking":{"budget_tokens":1.5},""" + Messages + "}", null)]
    [InlineData("""{"model":"m","thinking":true,""" + Messages + "}", null)]
    [InlineData("""{"model":"m","providerOptions":{"a":{"thinking":{"budget_tokens":0}}},""" + Messages + "}", null)]
    [InlineData("""{"model":"m","providerOptions":[],""" + Messages + "}", null)]
    public void TryParse_ThinkingBudget_APositiveIntegerFromAnyPlace(string body, int? budget)
    {
        Assert.True(OpenAIChatRequestParser.TryParse(Encoding.UTF8.GetBytes(body), false, out var request, out _));

        Assert.Equal(budget, request!.ThinkingBudget);
    }
}
