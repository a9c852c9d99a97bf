using System.Net;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Chat;
using Xunit;

namespace Gateway.Integration.Tests.Protocols;

/// <summary>Responses clients against an OpenAI-kind upstream that serves the Responses API itself (<c>ResponsesPath</c>): the byte path.</summary>
public sealed class ResponsesPassThroughTests
{
    private const string Path = "/v1/responses";

    private static TestConfig Native(string baseUrl) => TestConfig.Single(baseUrl).ProviderSetting("main", "ResponsesPath", "/responses");

    private static SseStep Event(string type, string json) => SseStep.Text($"event: {type}\ndata: {json}\n\n");

    private const string Completed = """{"type":"response.completed","sequence_number":4,"response":{"id":"resp_up1","object":"response","status":"completed","output":[{"id":"msg_up1","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi."}]}],"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":4},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":11}}}""";

    private static Script Stream(params SseStep[] tail) => Scripts.Sse(
        [
            Event("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","object":"response","status":"in_progress","output":[]}}"""),
            Event("response.output_item.added", """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_up1","type":"message","role":"assistant","content":[]}}"""),
            Event("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_up1","output_index":0,"content_index":0,"delta":"Hi."}"""),
            .. tail,
        ]);

    [Fact]
    public async Task NonStream_GoesToTheUpstreamsResponsesApiAsSent_AndTheAnswerComesBackAsItWas()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var answer = """{"id":"resp_up1","object":"response","status":"completed","future":{"x":1},"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi."}]}],"usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}""";
        upstream.Enqueue(Scripts.Json(answer));
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));
        const string body = """{"model":"gpt-test","input":"hello","reasoning":{"effort":"high","summary":"auto"},"tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content"],"store":false}""";

        using var response = await gateway.Client.PostAsync(body, Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answer, await response.Content.ReadAsStringAsync());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal(body.Replace("\"gpt-test\"", "\"fake-model\"", StringComparison.Ordinal), sent.BodyText);
    }

    [Fact]
    public async Task Stream_EventsAreForwardedAsSent_WithTheCompletedEventLast()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Stream(
            Event("response.output_text.done", """{"type":"response.output_text.done","sequence_number":3,"item_id":"msg_up1","output_index":0,"content_index":0,"text":"Hi."}"""),
            Event("response.completed", Completed)));
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"hello"}""", Path);
        var events = NamedSse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["response.created", "response.output_item.added", "response.output_text.delta", "response.output_text.done", "response.completed"],
            events.Select(e => e.Name));
        Assert.Equal(JsonNode.Parse(Completed)!.ToJsonString(), events[^1].Data.ToJsonString());
        Assert.Equal("fake-model", upstream.Requests[0].Json["model"]!.GetValue<string>());
        var log = await gateway.Logs.WaitForRequestLineAsync();
        Assert.Equal("9", log["prompt_tokens"]);
        Assert.Equal("2", log["completion_tokens"]);
        Assert.Equal("stop", log["end_reason"]);
    }

    [Fact]
    public async Task Stream_CutAfterContent_EndsInOneResponseFailed()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Stream());
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"hello"}""", Path);
        var events = NamedSse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("response.output_text.delta", events[2].Name);
        var failed = events[^1];
        Assert.Equal("response.failed", failed.Name);
        Assert.Equal(4, events.Count);
        Assert.Equal("failed", failed.Data["response"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_FailedBeforeContent_FailsOverToTheNextTarget()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(
            Event("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_a","object":"response","status":"in_progress","output":[]}}"""),
            Event("response.failed", """{"type":"response.failed","sequence_number":1,"response":{"id":"resp_a","object":"response","status":"failed","error":{"code":"server_error","message":"overloaded"}}}""")));
        b.Enqueue(Stream(Event("response.completed", Completed)));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl)
            .ProviderSetting("a", "ResponsesPath", "/responses").ProviderSetting("b", "ResponsesPath", "/responses"));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","stream":true,"input":"hello"}""", Path);
        var events = NamedSse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("resp_up1", events[0].Data["response"]!["id"]!.GetValue<string>());
        Assert.Equal("response.completed", events[^1].Name);
        Assert.DoesNotContain(events, e => e.Name == "response.failed");
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
    }

    // History another upstream answered through this gateway: its ids and its reasoning mean nothing here.
    [Fact]
    public async Task ItemsMadeForAnotherUpstream_AreTakenOut_ThisUpstreamsOwnStay()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json("""{"id":"resp_2","object":"response","status":"completed","output":[]}"""));
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));
        var foreign = Opaque.From("sig-from-claude", ProviderKind.Anthropic, "claude").Encode();
        var own = Opaque.From("enc-own", ProviderKind.OpenAI, "main").Encode();
        var body = $$"""
            {"model":"gpt-test","input":[
              {"role":"user","content":"hi"},
              {"type":"reasoning","id":"rs_gwAAA","summary":[],"encrypted_content":"{{foreign}}"},
              {"type":"reasoning","id":"rs_up","summary":[],"encrypted_content":"{{own}}"},
              {"type":"reasoning","id":"rs_native","summary":[],"encrypted_content":"native-blob"},
              {"type":"function_call","id":"fc_gwBBB","call_id":"call_gwCCC","name":"ls","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_gwCCC","output":"a.txt"}]}
            """;

        using var response = await gateway.Client.PostAsync(body, Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var input = upstream.Requests[0].Json["input"]!.AsArray();
        Assert.Equal(5, input.Count);
        Assert.Equal("rs_up", input[1]!["id"]!.GetValue<string>());
        Assert.Equal(own, input[1]!["encrypted_content"]!.GetValue<string>());
        Assert.Equal("native-blob", input[2]!["encrypted_content"]!.GetValue<string>());
        Assert.Null(input[3]!["id"]);
        Assert.Equal("call_gwCCC", input[3]!["call_id"]!.GetValue<string>());
        Assert.Equal("call_gwCCC", input[4]!["call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compaction_GoesToTheUpstreamsCompactEndpoint()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        const string answer = """{"id":"cmp_1","object":"response.compaction","output":[{"type":"compaction","encrypted_content":"zzz"}],"usage":{"input_tokens":40,"output_tokens":8,"total_tokens":48}}""";
        upstream.Enqueue(Scripts.Json(answer));
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","input":[{"role":"user","content":"long talk"}],"instructions":"x"}""", "/v1/responses/compact");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answer, await response.Content.ReadAsStringAsync());
        Assert.Equal("/v1/responses/compact", Assert.Single(upstream.Requests).Path);
    }

    [Fact]
    public async Task PreviousResponseId_WithNothingKeptHere_IsTheUpstreamsToResolve()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json("""{"id":"resp_3","object":"response","status":"completed","output":[]}"""));
        await using var gateway = await GatewayApp.StartAsync(Native(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","previous_response_id":"resp_up1","input":"and then?"}""", Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resp_up1", upstream.Requests[0].Json["previous_response_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpstreamWithoutResponsesPath_IsStillTranslatedToChatCompletions()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync("""{"model":"gpt-test","input":"hello"}""", Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", Assert.Single(upstream.Requests).Path);
    }
}
