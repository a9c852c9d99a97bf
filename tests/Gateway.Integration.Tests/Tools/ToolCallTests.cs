using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Tools;

public sealed class ToolCallTests
{
    private const string ToolRequest = """{"model":"gpt-test","stream":true,"tools":[{"type":"function","function":{"name":"read","parameters":{}}},{"type":"function","function":{"name":"write","parameters":{}}}],"messages":[{"role":"user","content":"x"}]}""";

    // Regression (ecosystem bug 3: 1-based or missing indices, ids repeated, name and args split across indices).
    [Fact]
    public async Task StreamToolCallDeltas_AreNormalized()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.ToolCall(1, "call_a", "read", "")),          // 1-based index
            SseStep.Data(Chunks.ToolCall(1, "call_a", null, "{\"path\":")),  // id repeated on a continuation
            SseStep.Data(Chunks.ToolCall(1, null, null, "\"/x\"}")),
            SseStep.Data(Chunks.ToolCall(1, "call_b", "write", "{}")),       // same index, new id: a new call
            SseStep.Data(Chunks.ToolCall(null, null, null, "")),            // empty continuation: dropped
            SseStep.Data(Chunks.Finish("stop")),                            // wrong reason from upstream
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ToolRequest);
        var deltas = ToolCallDeltas(events);

        Assert.Equal([0, 0, 0, 1], deltas.Select(d => d["index"]!.GetValue<int>()));
        Assert.Equal("call_a", deltas[0]["id"]!.GetValue<string>());
        Assert.Equal("function", deltas[0]["type"]!.GetValue<string>());
        Assert.Equal("read", deltas[0]["function"]!["name"]!.GetValue<string>());
        Assert.All(deltas.Skip(1).Take(2), d =>
        {
            Assert.Null(d["id"]);
            Assert.Null(d["type"]);
            Assert.Null(d["function"]!["name"]);
        });
        Assert.Equal("{\"path\":\"/x\"}", string.Concat(deltas.Take(3).Select(d => d["function"]!["arguments"]!.GetValue<string>())));
        Assert.Equal("call_b", deltas[3]["id"]!.GetValue<string>());
        Assert.Equal("write", deltas[3]["function"]!["name"]!.GetValue<string>());
        var finish = SseText.Chunks(events).Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]!.GetValue<string>();
        Assert.Equal("tool_calls", finish);
    }

    [Fact]
    public async Task DuplicateUpstreamIds_BecomeUnique()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.ToolCall(0, "legacy-1", "read", "{}")),
            SseStep.Data(Chunks.ToolCall(1, "legacy-1", "write", "{}")),
            SseStep.Data(Chunks.Finish("tool_calls")),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ToolRequest);
        var ids = SseText.Chunks(events).SelectMany(c => c["choices"]!.AsArray())
            .Select(c => c!["delta"]?["tool_calls"]).OfType<JsonArray>().SelectMany(a => a)
            .Select(d => d!["id"]?.GetValue<string>()).Where(id => id is not null).ToList();

        Assert.Equal(2, ids.Count);
        Assert.Equal("legacy-1", ids[0]);
        Assert.NotEqual(ids[0], ids[1]);
        Assert.StartsWith("call_", ids[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stop", "tool_calls")]
    [InlineData("tool_calls", "tool_calls")]
    [InlineData("length", "length")]
    [InlineData("content_filter", "content_filter")]
    public async Task FinishReason_DerivedTheSameInStreamAndNonStream(string upstreamFinish, string expected)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Json(Chunks.ToolCompletion("read", "{}", finish: upstreamFinish)),
            Scripts.Sse(SseStep.Data(Chunks.ToolCall(0, "call_x", "read", "{}")), SseStep.Data(Chunks.Finish(upstreamFinish)), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var nonStream = await gateway.Client.PostAsync(ToolRequest.Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal));
        var nonStreamFinish = JsonNode.Parse(await nonStream.Content.ReadAsStringAsync())!["choices"]![0]!["finish_reason"]!.GetValue<string>();
        var (_, events, _) = await gateway.Client.StreamAsync(ToolRequest);
        var streamFinish = SseText.Chunks(events).Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]!.GetValue<string>();

        Assert.Equal(expected, nonStreamFinish);
        Assert.Equal(expected, streamFinish);
    }

    [Fact]
    public async Task NoToolCallsButUpstreamSaysToolCalls_IsStop()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("plain text", finish: "tool_calls")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal("stop", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task NonStreamDuplicateToolIds_AreMadeUnique()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var completion = JsonNode.Parse(Chunks.ToolCompletion("read", "{}", id: "dup"))!;
        var calls = completion["choices"]![0]!["message"]!["tool_calls"]!.AsArray();
        calls.Add(calls[0]!.DeepClone());
        upstream.Enqueue(Scripts.Json(completion.ToJsonString()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["tool_calls"]!.AsArray()
            .Select(c => c!["id"]!.GetValue<string>()).ToList();

        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal("dup", ids[0]);
    }

    // Parallel calls whose argument deltas arrive interleaved: each continuation joins the call of its own index.
    [Fact]
    public async Task InterleavedParallelCalls_ContinueByIndex()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.ToolCall(0, "call_r", "read", "")),
            SseStep.Data(Chunks.ToolCall(1, "call_w", "write", "")),
            SseStep.Data(Chunks.ToolCall(1, null, null, "{\"b\":")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "{\"a\":")),
            SseStep.Data(Chunks.ToolCall(1, null, null, "2}")),
            SseStep.Data(Chunks.ToolCall(0, null, null, "1}")),
            SseStep.Data(Chunks.Finish("tool_calls")),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(ToolRequest);
        var deltas = ToolCallDeltas(events);
        string Arguments(int index) => string.Concat(deltas.Where(d => d["index"]!.GetValue<int>() == index).Select(d => d["function"]!["arguments"]!.GetValue<string>()));

        Assert.Equal([0, 1, 1, 0, 1, 0], deltas.Select(d => d["index"]!.GetValue<int>()));
        Assert.Equal(["call_r", "call_w"], deltas.Where(d => d["id"] is not null).Select(d => d["id"]!.GetValue<string>()));
        Assert.Equal(("{\"a\":1}", "{\"b\":2}"), (Arguments(0), Arguments(1)));
    }

    // n > 1 without streaming: each choice's finish_reason follows what it emitted, ids are unique across choices.
    [Fact]
    public async Task NonStreamTwoChoices_EachFinishDerivedAndIdsUniqueAcrossChoices()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json("""
            {"id":"c","object":"chat.completion","created":1,"model":"fake-model","choices":[
            {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"same","type":"function","function":{"name":"read","arguments":"{}"}}]},"finish_reason":"stop"},
            {"index":1,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"same","type":"function","function":{"name":"write","arguments":"{}"}}]},"finish_reason":"tool_calls"},
            {"index":2,"message":{"role":"assistant","content":"plain"},"finish_reason":"tool_calls"}],
            "usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}
            """));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","n":3,"messages":[{"role":"user","content":"x"}]}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var choices = body["choices"]!.AsArray();
        var ids = choices.Take(2).Select(c => c!["message"]!["tool_calls"]![0]!["id"]!.GetValue<string>()).ToList();

        Assert.Equal(["tool_calls", "tool_calls", "stop"], choices.Select(c => c!["finish_reason"]!.GetValue<string>()));
        Assert.Equal("same", ids[0]);
        Assert.NotEqual("same", ids[1]);
        Assert.Equal(10, body["usage"]!["total_tokens"]!.GetValue<int>());
    }

    private static List<JsonObject> ToolCallDeltas(List<SseText.Event> events) =>
        [.. SseText.Chunks(events)
            .SelectMany(c => c["choices"]!.AsArray())
            .Select(c => c!["delta"]?["tool_calls"])
            .OfType<JsonArray>()
            .SelectMany(a => a)
            .Select(d => d!.AsObject())];
}
