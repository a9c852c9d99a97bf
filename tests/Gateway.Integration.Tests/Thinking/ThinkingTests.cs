using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Thinking;

public sealed class ThinkingTests
{
    private const string Prompt = "<thinking_mode>interleaved</thinking_mode><max_thinking_length>1024</max_thinking_length>";
    private const string ThinkingStream = """{"model":"gpt-test","stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"x"}]}""";

    private static TestConfig PromptTags(string baseUrl) => TestConfig.Single(baseUrl).ProviderSetting("main", "Thinking", "PromptTags");

    [Fact]
    public async Task PromptTags_InjectsBudgetIntoExistingSystemPromptAndDropsField()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        await gateway.Client.PostAsync("""{"model":"gpt-test","thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"x"}]}""");

        var sent = upstream.Requests[0].Json;
        Assert.Equal(Prompt + "\nBe brief.", sent["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Null(sent["thinking"]);
    }

    [Fact]
    public async Task PromptTags_InsertsSystemPromptFromProviderOptions()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        await gateway.Client.PostAsync("""{"model":"gpt-test","providerOptions":{"anthropic":{"thinking":{"type":"enabled","budgetTokens":1024}}},"messages":[{"role":"user","content":"x"}]}""");

        var messages = upstream.Requests[0].Json["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal(Prompt, messages[0]!["content"]!.GetValue<string>());
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public async Task PromptTags_NonStreamAnswerIsRewritten()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("<thinking>plan</thinking>answer")));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(ThinkingStream.Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal));

        Assert.Equal("<think>plan</think>answer", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    // Regression (seed: api-override missed tags split across chunks and lost '>' at byte boundaries).
    [Fact]
    public async Task PromptTags_TagSplitAcrossChunksIsRewritten()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("<thi")),
            SseStep.Data(Chunks.Content("nking>pl")),
            SseStep.Data(Chunks.Content("an</think")),
            SseStep.Data(Chunks.Content("ing>a < b > c")),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ThinkingStream);

        Assert.Equal("<think>plan</think>a < b > c", SseText.Content(events));
    }

    // Regression (seed: api-override emitted a second <think> and lost the tail without [DONE]).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PromptTags_StreamEndingInsideThinking_ClosesOnce(bool withDone)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var steps = new List<SseStep>
        {
            SseStep.Data(Chunks.Content("<thinking>still thi")),
            SseStep.Data(Chunks.Content("nking </thin")),
            SseStep.Data(Chunks.Finish()),
        };
        if (withDone)
        {
            steps.Add(SseStep.Done());
        }

        upstream.Enqueue(Scripts.Sse([.. steps]));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ThinkingStream);

        Assert.Equal("<think>still thinking </thin</think>", SseText.Content(events));
        Assert.DoesNotContain(SseText.Chunks(events), c => c["error"] is not null);
    }

    [Fact]
    public async Task PromptTags_InterruptedInsideThinking_ClosesBlockBeforeErrorEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("<thinking>abc")), SseStep.Delay(200), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ThinkingStream);

        Assert.Equal("<think>abc</think>", SseText.Content(events));
        Assert.Equal("stream_interrupted", SseText.Chunks(events)[^1]["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task PromptTags_ChoicesAreRewrittenSeparately()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("<thin", 0)),
            SseStep.Data(Chunks.Content("plain <", 1)),
            SseStep.Data(Chunks.Content("king>zero</thinking>", 0)),
            SseStep.Data(Chunks.Content("thinking>one", 1)),
            SseStep.Data(Chunks.Finish("stop", 0)),
            SseStep.Data(Chunks.Finish("stop", 1)),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ThinkingStream.Replace("\"stream\":true,", "\"stream\":true,\"n\":2,", StringComparison.Ordinal));

        Assert.Equal("<think>zero</think>", SseText.Content(events, 0));
        Assert.Equal("plain <think>one</think>", SseText.Content(events, 1));
    }

    [Fact]
    public async Task PromptTags_WithoutThinkingRequest_LeavesTextAlone()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("literal <thinking> in prose")));
        await using var gateway = await GatewayApp.StartAsync(PromptTags(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal("literal <thinking> in prose", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Single(upstream.Requests[0].Json["messages"]!.AsArray());
    }

    [Fact]
    public async Task Passthrough_ForwardsThinkingFieldAndDoesNotRewrite()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("<thinking>x</thinking>y")), SseStep.Data(Chunks.Finish()), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ThinkingStream);

        Assert.Equal("<thinking>x</thinking>y", SseText.Content(events));
        var sent = upstream.Requests[0].Json;
        Assert.Equal(1024, sent["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.Single(sent["messages"]!.AsArray());
    }
}
