using System.Net;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.State;

/// <summary>
/// Kept Responses (<c>State:KeepResponses</c>): a response made on one instance is continued with
/// <c>previous_response_id</c> on another, through Azurite; only by the key that made it; never when the
/// client said <c>store:false</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeptResponsesTests(AzuriteFixture azurite)
{
    private const string Path = "/v1/responses";

    private TestConfig Config(FakeUpstreamServer upstream, string prefix) => TestConfig.Single(upstream.BaseUrl)
        .Bearer(("alice", "sk-alice"), ("bob", "sk-bob"))
        .Set("State:ConnectionString", azurite.ConnectionString)
        .Set("State:TablePrefix", prefix)
        .Set("State:KeepResponses", true);

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(GatewayApp gateway, string body, string key)
    {
        using var response = await gateway.Client.PostAsync(body, Path, r => r.Bearer(key));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task TwoInstances_ContinueAResponseMadeOnTheOther()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var prefix = AzuriteFixture.NewPrefix();
        await using var one = await GatewayApp.StartAsync(Config(upstream, prefix));
        await using var two = await GatewayApp.StartAsync(Config(upstream, prefix));

        var (_, first) = await PostAsync(one, """{"model":"gpt-test","instructions":"be brief","input":"first question"}""", "sk-alice");
        var firstId = first["id"]!.GetValue<string>();
        var (status, second) = await PostAsync(two, $$"""{"model":"gpt-test","previous_response_id":"{{firstId}}","input":[{"role":"user","content":"second question"}]}""", "sk-alice");
        var (_, third) = await PostAsync(one, $$"""{"model":"gpt-test","previous_response_id":"{{second["id"]}}","input":"third"}""", "sk-alice");

        Assert.True(first["store"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(firstId, second["previous_response_id"]!.GetValue<string>());
        Assert.Equal("echo: third", third["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        // As with OpenAI, a previous response's instructions are not carried over; its input and output are.
        var messages = upstream.Requests[2].Json["messages"]!.AsArray().Select(m => $"{m!["role"]}: {m["content"]}").ToList();
        Assert.Equal(
            ["user: first question", "assistant: echo: first question", "user: second question", "assistant: echo: second question", "user: third"],
            messages);
    }

    [Fact]
    public async Task AnotherKey_AnUnknownId_OrStoreFalse_Is400NotFound()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, AzuriteFixture.NewPrefix()));

        var (_, kept) = await PostAsync(gateway, """{"model":"gpt-test","input":"mine"}""", "sk-alice");
        var (_, notKept) = await PostAsync(gateway, """{"model":"gpt-test","store":false,"input":"not kept"}""", "sk-alice");
        var (otherKey, otherKeyBody) = await PostAsync(gateway, $$"""{"model":"gpt-test","previous_response_id":"{{kept["id"]}}","input":"x"}""", "sk-bob");
        var (unknown, _) = await PostAsync(gateway, """{"model":"gpt-test","previous_response_id":"resp_nothing","input":"x"}""", "sk-alice");
        var (storeFalse, _) = await PostAsync(gateway, $$"""{"model":"gpt-test","previous_response_id":"{{notKept["id"]}}","input":"x"}""", "sk-alice");

        Assert.False(notKept["store"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, otherKey);
        Assert.Equal("previous_response_not_found", otherKeyBody["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Equal(HttpStatusCode.BadRequest, storeFalse);
        Assert.Equal(2, upstream.Requests.Count);
    }

    // A compaction continued from a kept response summarises the kept history too; an unknown id is the same 400 as on /v1/responses.
    [Fact]
    public async Task Compact_WithPreviousResponseId_CoversTheKeptHistory_AndAnUnknownIdIs400()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, AzuriteFixture.NewPrefix()));

        var (_, first) = await PostAsync(gateway, """{"model":"gpt-test","input":"first question"}""", "sk-alice");
        using var compact = await gateway.Client.PostAsync($$"""{"model":"gpt-test","previous_response_id":"{{first["id"]}}","input":"second question"}""", "/v1/responses/compact", r => r.Bearer("sk-alice"));
        using var unknown = await gateway.Client.PostAsync("""{"model":"gpt-test","previous_response_id":"resp_nothing","input":"x"}""", "/v1/responses/compact", r => r.Bearer("sk-alice"));
        var compacted = JsonNode.Parse(await compact.Content.ReadAsStringAsync())!;
        var unknownBody = JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, compact.StatusCode);
        Assert.Equal("response.compaction", compacted["object"]!.GetValue<string>());
        var texts = compacted["output"]!.AsArray().Select(i => i!["content"]![0]!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["first question", "second question"], texts.Take(2));
        var summarised = upstream.Requests[1].Json["messages"]!.AsArray().Select(m => m!["content"]!.ToString()).ToList();
        Assert.Equal(["first question", "echo: first question", "second question"], summarised.Take(3));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("previous_response_not_found", unknownBody["error"]!["code"]!.GetValue<string>());
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamedResponse_IsKeptBeforeItsLastEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, AzuriteFixture.NewPrefix()));

        using var stream = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"streamed"}""", Path, r => r.Bearer("sk-alice"));
        var events = NamedSse.Parse(await stream.Content.ReadAsStringAsync());
        var id = events[^1].Data["response"]!["id"]!.GetValue<string>();

        // Asked the moment the stream ended: the response was stored before its last event went out.
        var (status, next) = await PostAsync(gateway, $$"""{"model":"gpt-test","previous_response_id":"{{id}}","input":"next"}""", "sk-alice");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("echo: next", next["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(3, upstream.Requests[1].Json["messages"]!.AsArray().Count);
    }
    // An upstream with its own Responses API: its output items are kept as it sent them, and the continuation goes to it whole.
    [Fact]
    public async Task NativeResponsesUpstream_ItsOutputIsKept_AndTheContinuationCarriesTheWholeInput()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(
            Scripts.Sse(SseStep.Text("""
                event: response.output_text.delta
                data: {"type":"response.output_text.delta","sequence_number":0,"item_id":"msg_up1","output_index":0,"content_index":0,"delta":"Hi."}

                event: response.completed
                data: {"type":"response.completed","sequence_number":1,"response":{"id":"resp_up1","object":"response","status":"completed","output":[{"id":"msg_up1","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi."}]}]}}


                """.ReplaceLineEndings("\n"))),
            Scripts.Json("""{"id":"resp_up2","object":"response","status":"completed","output":[]}"""));
        await using var gateway = await GatewayApp.StartAsync(Config(upstream, AzuriteFixture.NewPrefix()).ProviderSetting("main", "ResponsesPath", "/responses"));

        using var first = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"first"}""", Path, r => r.Bearer("sk-alice"));
        var events = NamedSse.Parse(await first.Content.ReadAsStringAsync());
        var (status, _) = await PostAsync(gateway, """{"model":"gpt-test","previous_response_id":"resp_up1","input":"second"}""", "sk-alice");

        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal(HttpStatusCode.OK, status);
        var sent = upstream.Requests[1].Json;
        Assert.Null(sent["previous_response_id"]);
        Assert.Equal(
            ["user", "msg_up1", "user"],
            sent["input"]!.AsArray().Select(i => i!["id"]?.GetValue<string>() ?? i["role"]!.GetValue<string>()));
        Assert.Equal("/v1/responses", upstream.Requests[1].Path);
    }
}
