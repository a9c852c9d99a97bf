using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Clients;

/// <summary>new-api's channel test request, as it sends it (reference/ecosystem.md §3).</summary>
public sealed class NewApiChannelTests
{
    [Fact]
    public async Task ChannelTest_NonStream_HasUsageAndNoError()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("hi!", includeUsage: false)));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-newapi")));

        using var response = await gateway.Client.PostAsync(
            """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":16}""",
            configure: r =>
            {
                r.Bearer("sk-newapi");
                r.Headers.TryAddWithoutValidation("User-Agent", "Go-http-client/1.1");
            });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(body["usage"]);
        Assert.True(body["usage"]!["prompt_tokens"]!.GetValue<int>() > 0);
        Assert.Null(body["error"]);
        Assert.Equal(16, upstream.Requests[0].Json["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task ChannelTest_Stream_HasDataEventsWithoutErrorAndUsageLast()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("newapi", "sk-newapi")));

        var (response, events, _) = await gateway.Client.StreamAsync(
            """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":true,"stream_options":{"include_usage":true}}""",
            r =>
            {
                r.Bearer("sk-newapi");
                r.Headers.Accept.ParseAdd("text/event-stream");
            });
        var chunks = SseText.Chunks(events);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(chunks);
        Assert.DoesNotContain(chunks, c => c.ContainsKey("error"));
        Assert.NotNull(chunks[^1]["usage"]);
        Assert.True(events[^1].IsDone);
    }
}
