using System.Text;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Gemini;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>The neutral conversation as a Gemini generateContent (and countTokens) body.</summary>
public sealed class GeminiRequestWriterTests
{
    private const string Hi = "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]";

    [Fact]
    public void Write_Minimal_ContentsAndAnEmptyGenerationConfig()
    {
        Assert.Equal("{" + Hi + ""","generationConfig":{}}""", Write(Conversation()));
    }

    [Fact]
    public void Write_SystemInstruction_FromSystemAndMidConversationSystemMessages()
    {
        var conversation = Conversation();
        conversation.System.Add(new TextPart("one"));
        conversation.System.Add(new TextPart("  "));
        conversation.System.Add(new MediaPart("image/png", "AA", null));
        conversation.Messages.Add(new ChatMessage(ChatRole.System, [new TextPart("two"), new TextPart(string.Empty)]));

        Assert.Equal("{" + Hi + ""","systemInstruction":{"parts":[{"text":"one"},{"text":"two"}]},"generationConfig":{}}""", Write(conversation));
    }

    [Fact]
    public void Write_Settings_InGenerationConfig()
    {
        var conversation = Conversation();
        conversation.MaxTokens = 100;
        conversation.Temperature = 0.5;
        conversation.TopP = 0.9;
        conversation.TopK = 40;
        conversation.StopSequences.AddRange(["a", "b", "c", "d", "e", "f"]);
        conversation.ResponseFormat = new ResponseFormat("""{"type":"object"}""", "n");

        Assert.Equal(
            "{" + Hi + ""","generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"topK":40,"stopSequences":["a","b","c","d","e"],"responseMimeType":"application/json","responseJsonSchema":{"type":"object"}}}""",
            Write(conversation));
    }

    [Theory]
    [InlineData(3.5, "2")]
    [InlineData(-1.0, "0")]
    [InlineData(2.0, "2")]
    [InlineData(0.0, "0")]
    public void Write_TemperatureClampedToGeminisRange(double temperature, string sent)
    {
        var conversation = Conversation();
        conversation.Temperature = temperature;

        Assert.Equal("{" + Hi + ""","generationConfig":{"temperature":""" + sent + "}}", Write(conversation));
    }

    [Fact]
    public void Write_JsonObjectFormat_MimeTypeOnly()
    {
        var conversation = Conversation();
        conversation.ResponseFormat = new ResponseFormat(null, null);

        Assert.Equal("{" + Hi + ""","generationConfig":{"responseMimeType":"application/json"}}""", Write(conversation));
    }

    [Fact]
    public void Write_Tools_FunctionDeclarations_CustomAndNativeDropped()
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("f", "does f", """{"type":"object","properties":{}}"""));
        conversation.Tools.Add(new ToolDefinition("c", "custom", null) { Custom = true });
        conversation.Tools.Add(new ToolDefinition("web_search", null, null) { NativeJson = "{}" });
        conversation.Tools.Add(new ToolDefinition("g", null, null));

        Assert.Equal(
            "{" + Hi + ""","tools":[{"functionDeclarations":[{"name":"f","description":"does f","parametersJsonSchema":{"type":"object","properties":{}}},{"name":"g"}]}],"generationConfig":{}}""",
            Write(conversation));
    }

    [Fact]
    public void Write_NoGeminiTool_NoToolsNorToolConfig()
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("c", null, null) { Custom = true });
        conversation.ToolChoice = new ToolChoice(ToolChoiceMode.Required);

        Assert.Equal("{" + Hi + ""","generationConfig":{}}""", Write(conversation));
    }

    [Theory]
    [InlineData("Auto", null, """{"mode":"AUTO"}""")]
    [InlineData("None", null, """{"mode":"NONE"}""")]
    [InlineData("Required", null, """{"mode":"ANY"}""")]
    [InlineData("Tool", "f", """{"mode":"ANY","allowedFunctionNames":["f"]}""")]
    [InlineData("Tool", null, """{"mode":"ANY"}""")]
    [InlineData("Auto", "f", """{"mode":"AUTO"}""")]
    public void Write_ToolChoice_AsFunctionCallingConfig(string mode, string? name, string expected)
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("f", null, null));
        conversation.ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceMode>(mode), name);

        Assert.Equal("{" + Hi + ""","tools":[{"functionDeclarations":[{"name":"f"}]}],"toolConfig":{"functionCallingConfig":""" + expected + """},"generationConfig":{}}""", Write(conversation));
    }

    [Fact]
    public void Write_ToolsWithoutChoice_NoToolConfig()
    {
        var conversation = Conversation();
        conversation.Tools.Add(new ToolDefinition("f", null, null));

        Assert.Equal("{" + Hi + ""","tools":[{"functionDeclarations":[{"name":"f"}]}],"generationConfig":{}}""", Write(conversation));
    }

    [Theory]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, "high", null, false, """{"includeThoughts":true,"thinkingLevel":"high"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, "medium", null, false, """{"includeThoughts":true,"thinkingLevel":"high"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, "low", null, false, """{"includeThoughts":true,"thinkingLevel":"low"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, "minimal", null, false, """{"includeThoughts":true,"thinkingLevel":"low"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, null, 4096, false, """{"includeThoughts":true,"thinkingLevel":"low"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, null, 4097, false, """{"includeThoughts":true,"thinkingLevel":"high"}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, null, null, true, """{"includeThoughts":true}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, false, null, null, false, null)]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Adaptive, true, "high", null, false, null)]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Budget, true, "high", null, false, """{"thinkingBudget":0}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Budget, false, null, 1000, false, """{"includeThoughts":true,"thinkingBudget":1000}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Budget, false, "medium", null, false, """{"includeThoughts":true,"thinkingBudget":8192}""")]
    [InlineData(ThinkingMode.Native, ThinkingStyle.Budget, false, null, null, true, """{"includeThoughts":true,"thinkingBudget":-1}""")]
    [InlineData(ThinkingMode.Passthrough, ThinkingStyle.Adaptive, false, null, null, true, null)]
    [InlineData(ThinkingMode.Passthrough, ThinkingStyle.Adaptive, false, "low", null, true, """{"includeThoughts":true,"thinkingLevel":"low"}""")]
    [InlineData(ThinkingMode.Passthrough, ThinkingStyle.Budget, true, null, null, false, """{"thinkingBudget":0}""")]
    [InlineData(ThinkingMode.Off, ThinkingStyle.Budget, true, "high", null, false, null)]
    [InlineData(ThinkingMode.Off, ThinkingStyle.Adaptive, false, "high", null, false, null)]
    [InlineData(ThinkingMode.PromptTags, ThinkingStyle.Budget, false, "high", null, false, null)]
    public void Write_ThinkingConfig(ThinkingMode mode, ThinkingStyle style, bool disabled, string? effort, int? budget, bool adaptive, string? expected)
    {
        var conversation = Conversation();
        conversation.Reasoning = new ReasoningRequest { Disabled = disabled, Effort = effort, BudgetTokens = budget, Adaptive = adaptive };

        var config = expected is null ? "{}" : """{"thinkingConfig":""" + expected + "}";
        Assert.Equal("{" + Hi + ""","generationConfig":""" + config + "}", Write(conversation, Target(mode, style)));
    }

    [Fact]
    public void Write_NoReasoning_NoThinkingConfig()
    {
        Assert.Equal("{" + Hi + ""","generationConfig":{}}""", Write(Conversation(), Target(ThinkingMode.Native, ThinkingStyle.Budget)));
    }

    [Theory]
    [InlineData("gemini-x", "models/gemini-x")]
    [InlineData("models/gemini-x", "models/gemini-x")]
    [InlineData("tunedModels/t", "models/tunedModels/t")]
    public void CountTokensBody_TheRequestWrappedWithTheModel_NoGenerationConfig(string model, string sent)
    {
        var conversation = Conversation();
        conversation.System.Add(new TextPart("sys"));
        conversation.MaxTokens = 5;
        conversation.Reasoning = new ReasoningRequest { Effort = "high" };
        conversation.Tools.Add(new ToolDefinition("f", null, null));
        conversation.ToolChoice = new ToolChoice(ToolChoiceMode.None);

        var body = GeminiRequestWriter.CountTokensBody(Request(conversation), Target(ThinkingMode.Native, ThinkingStyle.Adaptive, model));

        Assert.Equal(
            "{\"generateContentRequest\":{\"model\":\"" + sent + "\"," + Hi + ""","systemInstruction":{"parts":[{"text":"sys"}]},"tools":[{"functionDeclarations":[{"name":"f"}]}],"toolConfig":{"functionCallingConfig":{"mode":"NONE"}}}}""",
            Encoding.UTF8.GetString(body.Span));
    }

    private static Conversation Conversation()
    {
        var conversation = new Conversation();
        conversation.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("hi")]));
        return conversation;
    }

    private static RouteTarget Target(ThinkingMode thinking = ThinkingMode.Native, ThinkingStyle style = ThinkingStyle.Adaptive, string model = "gemini-x") =>
        new(new Provider("g", new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "http://gemini.test/v1beta", Thinking = thinking, ThinkingStyle = style }), model, 1, null);

    private static ChatRequest Request(Conversation conversation) =>
        TestRequests.Of(conversation: conversation, hasTools: conversation.Tools.Count > 0);

    private static string Write(Conversation conversation, RouteTarget? target = null) =>
        Encoding.UTF8.GetString(GeminiRequestWriter.Instance.Write(Request(conversation), target ?? Target(), stream: true).Span);
}
