using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Streaming;

public sealed class StreamingTests
{
    [Fact]
    public async Task Stream_HasSseHeadersAndExactlyOneDoneLast()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.Content("hi")),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done(),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Single(events, e => e.IsDone);
        Assert.True(events[^1].IsDone);
    }

    [Fact]
    public async Task UpstreamWithoutDone_ClientStillGetsOneDone()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("hi")), SseStep.Data(Chunks.Finish())));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("hi", SseText.Content(events));
        Assert.Single(events, e => e.IsDone);
        Assert.DoesNotContain(SseText.Chunks(events), c => c["error"] is not null);
    }

    [Fact]
    public async Task CrlfAndCrFraming_AreParsed()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Text("data: " + Chunks.Content("one") + "\r\n\r\n"),
            SseStep.Text("data: " + Chunks.Content(" two") + "\r\r"),
            SseStep.Text(": upstream comment\r\n\r\n"),
            SseStep.Text("data: " + Chunks.Finish() + "\r\n\r\ndata: [DONE]\r\n\r\n")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("one two", SseText.Content(events));
        Assert.Equal("stop", SseText.Chunks(events).Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task MultiLineData_IsJoinedIntoOneEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var pretty = JsonNode.Parse(Chunks.Content("pretty"))!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var multiLine = string.Join("\n", pretty.Split('\n').Select(line => "data: " + line)) + "\n\n";
        upstream.Enqueue(Scripts.Sse(SseStep.Text(multiLine), SseStep.Data(Chunks.Finish()), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("pretty", SseText.Content(events));
    }

    [Fact]
    public async Task LastEventWithoutBlankLine_IsStillDelivered()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("tail")), SseStep.Text("data: " + Chunks.Finish())));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("tail", SseText.Content(events));
        Assert.DoesNotContain(SseText.Chunks(events), c => c["error"] is not null);
    }

    // Regression (seed: ai-higress dropped a whole chunk when a UTF-8 character was split across reads).
    [Fact]
    public async Task Utf8CharacterSplitAcrossReads_ArrivesIntact()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        // Written by hand: serializers escape the emoji, and the point is raw multi-byte UTF-8 on the wire.
        var bytes = Encoding.UTF8.GetBytes("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"日本語 😀 ok\"},\"finish_reason\":null}]}\n\n");
        var cut = Array.IndexOf(bytes, (byte)0xE6) + 1; // inside the first 3-byte character
        var emoji = Array.IndexOf(bytes, (byte)0xF0) + 2; // inside the 4-byte emoji
        Assert.True(cut > 0 && emoji > cut);
        upstream.Enqueue(Scripts.Sse(
            new SseStep.Raw(bytes[..cut]),
            SseStep.Delay(30),
            new SseStep.Raw(bytes[cut..emoji]),
            SseStep.Delay(30),
            new SseStep.Raw(bytes[emoji..]),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal("日本語 😀 ok", SseText.Content(events));
    }

    [Fact]
    public async Task UpstreamAnsweringJsonToStreamRequest_IsReplayedAsSse()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Json(Chunks.Completion("from json")));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("from json", SseText.Content(events));
        var last = SseText.Chunks(events)[^1];
        Assert.Empty(last["choices"]!.AsArray());
        Assert.Equal(12, last["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailureBeforeAnyByte_IsJsonErrorWithRealStatus()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = Scripts.Status(503, "overloaded");
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.HelloStream);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("upstream_error", error["type"]!.GetValue<string>());
        Assert.Equal("upstream_http_error", error["code"]!.GetValue<string>());
    }

    // Regression (seed: mix2api test "first chunk not held back by a slow second chunk").
    [Fact]
    public async Task FirstContentChunk_IsNotHeldBackBySlowSecondChunk()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.Content("first")),
            SseStep.Delay(2500),
            SseStep.Data(Chunks.Content(" second")),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        await using var live = await LiveSse.OpenAsync(gateway.Client, Requests.HelloStream);
        var role = await live.NextAsync();
        var first = await live.NextAsync();
        var second = await live.NextAsync();

        Assert.Equal("assistant", role!.Value.Event.Json["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        Assert.Equal("first", first!.Value.Event.Json["choices"]![0]!["delta"]!["content"]!.GetValue<string>());
        Assert.True(first.Value.At < TimeSpan.FromMilliseconds(1500), $"first chunk took {first.Value.At.TotalMilliseconds} ms");
        Assert.True(second!.Value.At - first.Value.At > TimeSpan.FromMilliseconds(1000), $"second chunk only {(second.Value.At - first.Value.At).TotalMilliseconds} ms after the first");
    }

    [Fact]
    public async Task KeepAlive_IsSentWhileUpstreamIsSilent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("a")),
            SseStep.Delay(700),
            SseStep.Data(Chunks.Content("b")),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Streaming:KeepAliveSeconds", 0.1));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        var betweenAandB = events.SkipWhile(e => e.Data is null || !e.Data.Contains("\"a\"", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(e => e.Data is null).ToList();
        Assert.InRange(betweenAandB.Count, 3, 10);
        Assert.All(betweenAandB, e => Assert.Equal("keep-alive", e.Comment));
        Assert.Equal("ab", SseText.Content(events));
    }

    // Regression (seed: scira2api's heartbeat goroutine wrote concurrently with the data loop).
    [Fact]
    public async Task KeepAliveAndData_NeverInterleaveInsideAFrame()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var frame = Encoding.UTF8.GetBytes("data: " + Chunks.Content("slowly trickled content") + "\n\n");
        var steps = new List<SseStep> { SseStep.Data(Chunks.Content("start ")) };
        for (var i = 0; i < frame.Length; i += 12)
        {
            steps.Add(new SseStep.Raw(frame[i..Math.Min(i + 12, frame.Length)]));
            steps.Add(SseStep.Delay(25));
        }

        steps.Add(SseStep.Data(Chunks.Finish()));
        steps.Add(SseStep.Done());
        upstream.Enqueue(Scripts.Sse([.. steps]));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Streaming:KeepAliveSeconds", 0.02));

        var (_, events, raw) = await gateway.Client.StreamAsync(Requests.HelloStream);

        // SseText.Parse throws on any line that is neither data nor comment, and every frame must be one or
        // the other: a keep-alive written inside a data frame would show as a frame holding both, or as
        // broken JSON in the content.
        Assert.Equal("start slowly trickled content", SseText.Content(events));
        Assert.Contains(events, e => e.Comment == "keep-alive");
        Assert.All(events, e => Assert.True(e.Data is null ^ e.Comment is null, $"mixed frame in: {raw}"));
    }

    [Fact]
    public async Task ClientAbort_CancelsUpstreamAndIsLogged()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("x")), new SseStep.Hang()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var live = await LiveSse.OpenAsync(gateway.Client, Requests.HelloStream);
        await live.NextAsync();
        await live.DisposeAsync();

        var aborted = upstream.Requests[0].Aborted;
        Assert.Same(aborted, await Task.WhenAny(aborted, Task.Delay(5000)));
        var line = await gateway.Logs.WaitForRequestLineAsync();
        Assert.Equal("client_abort", line["end_reason"]);
    }

    [Fact]
    public async Task UpstreamResetAfterContent_EndsWithErrorEventNotFakeStop()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Data(Chunks.Content("partial")), SseStep.Delay(200), new SseStep.Reset()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);
        var chunks = SseText.Chunks(events);
        var error = chunks.Single(c => c["error"] is not null)["error"]!;
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("partial", SseText.Content(events));
        Assert.Equal("upstream_error", error["type"]!.GetValue<string>());
        Assert.Equal("stream_interrupted", error["code"]!.GetValue<string>());
        Assert.DoesNotContain(chunks, c => c["choices"]?.AsArray().Any(ch => ch!["finish_reason"] is JsonValue) == true);
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.NotNull(chunks[^1]["usage"]);
        Assert.True(events[^1].IsDone);
        Assert.Equal("upstream_error", line["end_reason"]);
    }

    [Fact]
    public async Task UpstreamEofWithoutFinish_EndsWithErrorEvent()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("cut short")), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);
        var chunks = SseText.Chunks(events);

        Assert.Equal("stream_interrupted", chunks[^1]["error"]!["code"]!.GetValue<string>());
        Assert.True(events[^1].IsDone);
        Assert.Single(events, e => e.IsDone);
    }

    [Fact]
    public async Task UsageRequested_OtherChunksHaveNullUsageAndLastIsUsageChunk()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "StreamOptions", false));
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Role()),
            SseStep.Data(Chunks.Content("hi")),
            SseStep.Data(Chunks.Finish().Replace("}]}", "}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}", StringComparison.Ordinal)),
            SseStep.Done()));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);
        var chunks = SseText.Chunks(events);

        Assert.All(chunks.SkipLast(1), c => Assert.True(c.ContainsKey("usage") && c["usage"] is null, c.ToJsonString()));
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.Equal(4, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.Equal("stop", chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task UsageNotRequested_RidesOnFinishChunk()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);
        var chunks = SseText.Chunks(events);

        var last = chunks[^1];
        Assert.Equal("stop", last["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(5, last["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
    }

    [Fact]
    public async Task UpstreamWithoutUsage_IsCountedWithTokenizerAndMarkedEstimated()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("Hello")),
            SseStep.Data(Chunks.Content(" world, this is counted.")),
            SseStep.Data(Chunks.Finish()),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStreamUsage);
        var usage = SseText.Chunks(events)[^1]["usage"]!;
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.InRange(usage["completion_tokens"]!.GetValue<int>(), 5, 10);
        Assert.True(usage["prompt_tokens"]!.GetValue<int>() > 0);
        Assert.Equal("true", line["usage_estimated"]);
    }

    [Fact]
    public async Task IdleTimeoutAfterContent_EndsWithErrorEventAndTimeoutReason()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("then silence")), new SseStep.Hang()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "IdleTimeoutSeconds", 0.4));

        var (_, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.Equal("stream_interrupted", SseText.Chunks(events)[^1]["error"]!["code"]!.GetValue<string>());
        Assert.Equal("timeout", line["end_reason"]);
        Assert.Same(upstream.Requests[0].Aborted, await Task.WhenAny(upstream.Requests[0].Aborted, Task.Delay(5000)));
    }

    [Fact]
    public async Task FirstByteTimeout_WithNoOtherCandidate_Returns504Json()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), new SseStep.Hang()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).ProviderSetting("main", "FirstByteTimeoutSeconds", 0.5));

        using var response = await gateway.Client.PostAsync(Requests.HelloStream);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task LongSilentReasoning_CommitsHeadersAndKeepsAliveThenStreams()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Delay(900), SseStep.Data(Chunks.Content("thought long")), SseStep.Data(Chunks.Finish()), SseStep.Done()));
        var config = TestConfig.Single(upstream.BaseUrl).Set("Streaming:CommitAfterSeconds", 0.2).Set("Streaming:KeepAliveSeconds", 0.2);
        await using var gateway = await GatewayApp.StartAsync(config);

        await using var live = await LiveSse.OpenAsync(gateway.Client, Requests.HelloStream);
        var headersAt = live.Elapsed;
        var first = await live.NextAsync();
        var rest = await live.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, live.Response.StatusCode);
        Assert.True(headersAt < TimeSpan.FromMilliseconds(800), $"headers after {headersAt.TotalMilliseconds} ms");
        Assert.Equal("keep-alive", first!.Value.Event.Comment);
        Assert.Equal("thought long", SseText.Content(rest));
    }

    [Fact]
    public async Task AfterCommitButBeforeData_FailoverIsStillAllowed()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Delay(500), new SseStep.Reset()));
        var config = TestConfig.Pair(a.BaseUrl, b.BaseUrl).Set("Streaming:CommitAfterSeconds", 0.1).Set("Streaming:KeepAliveSeconds", 0.1);
        await using var gateway = await GatewayApp.StartAsync(config);

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(events, e => e.Comment == "keep-alive");
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.DoesNotContain(SseText.Chunks(events), c => c["error"] is not null);
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task AllCandidatesFailAfterCommit_EndsWithErrorEventAndDone()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), SseStep.Delay(400), new SseStep.Reset()));
        var config = TestConfig.Single(upstream.BaseUrl).Set("Streaming:CommitAfterSeconds", 0.1);
        await using var gateway = await GatewayApp.StartAsync(config);

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("upstream_error", SseText.Chunks(events).Single()["error"]!["type"]!.GetValue<string>());
        Assert.True(events[^1].IsDone);
    }

    [Fact]
    public async Task Shutdown_EndsOpenStreamsWithErrorEventAfterGrace()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("working")), new SseStep.Hang()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Streaming:ShutdownGraceSeconds", 0.5));

        await using var live = await LiveSse.OpenAsync(gateway.Client, Requests.HelloStream);
        await live.NextAsync();
        var stopping = gateway.StopAsync();
        var rest = await live.ReadToEndAsync(TimeSpan.FromSeconds(10));
        await stopping;

        Assert.Equal("stream_interrupted", SseText.Chunks(rest).Single()["error"]!["code"]!.GetValue<string>());
        Assert.True(rest[^1].IsDone);
    }

    // Regression: an upstream that ignores n answered one choice, and the complete answer ended with stream_interrupted.
    [Fact]
    public async Task UpstreamIgnoringN_IsStillACompleteStream()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Content("only one")), SseStep.Data(Chunks.Finish()), SseStep.Data(Chunks.Usage(1, 2)), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"n":2,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""");
        var chunks = SseText.Chunks(events);

        Assert.Equal("only one", SseText.Content(events));
        Assert.DoesNotContain(chunks, c => c["error"] is not null);
        Assert.Equal(3, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
    }

    // Regression: shutdown while the preamble was held back answered 502 "The upstream failed with HTTP ."
    [Fact]
    public async Task ShutdownBeforeFirstContent_Is503AndNotTheUpstreamsFault()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data(Chunks.Role()), new SseStep.Hang()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Streaming:ShutdownGraceSeconds", 0.3));

        var pending = gateway.Client.PostAsync(Requests.HelloStream);
        await SharedStateWait.UntilAsync(() => upstream.Requests.Count == 1);
        var stopping = gateway.StopAsync();
        using var response = await pending;
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("gateway_shutting_down", error["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task MultipleChoices_AreTrackedSeparately()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("A1", 0)),
            SseStep.Data(Chunks.Content("B1", 1)),
            SseStep.Data(Chunks.Content("A2", 0)),
            SseStep.Data(Chunks.Finish("stop", 0)),
            SseStep.Data(Chunks.Content("B2", 1)),
            SseStep.Data(Chunks.Finish("length", 1)),
            SseStep.Data(Chunks.Usage(3, 4)),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""");
        var chunks = SseText.Chunks(events);

        Assert.Equal("A1A2", SseText.Content(events, 0));
        Assert.Equal("B1B2", SseText.Content(events, 1));
        Assert.Equal("length", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(7, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.DoesNotContain(chunks, c => c["error"] is not null);
    }

    [Fact]
    public async Task TwoChoicesFinishingInOneChunk_UsageRidesOnThatChunk()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(
            SseStep.Data(Chunks.Content("A", 0)),
            SseStep.Data(Chunks.Content("B", 1)),
            SseStep.Data("""{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1,"model":"fake-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"length"}]}"""),
            SseStep.Data(Chunks.Usage(3, 4)),
            SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        var (_, events, _) = await gateway.Client.StreamAsync("""{"model":"gpt-test","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""");
        var chunks = SseText.Chunks(events);
        var line = await gateway.Logs.WaitForRequestLineAsync();

        Assert.Equal(3, chunks.Count);
        Assert.Equal(["stop", "length"], chunks[^1]["choices"]!.AsArray().Select(c => c!["finish_reason"]!.GetValue<string>()));
        Assert.Equal(7, chunks[^1]["usage"]!["total_tokens"]!.GetValue<int>());
        Assert.True(events[^1].IsDone);
        Assert.Equal(("length", "3", "4"), (line["end_reason"], line["prompt_tokens"], line["completion_tokens"]));
    }

    [Fact]
    public async Task StreamEndingWithNoChoices_FailsOverToTheNextCandidate()
    {
        await using var a = await FakeUpstreamServer.StartAsync();
        await using var b = await FakeUpstreamServer.StartAsync();
        a.Enqueue(Scripts.Sse(SseStep.Data("""{"id":"x","object":"chat.completion.chunk","choices":[]}"""), SseStep.Data(Chunks.Usage(1, 0)), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Pair(a.BaseUrl, b.BaseUrl));

        var (response, events, _) = await gateway.Client.StreamAsync(Requests.HelloStream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo: hello", SseText.Content(events));
        Assert.Single(a.Requests);
        Assert.Single(b.Requests);
    }

    [Fact]
    public async Task StreamEndingWithNoChoicesEverywhere_Is502BadResponse()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Enqueue(Scripts.Sse(SseStep.Data("""{"id":"x","object":"chat.completion.chunk","choices":[]}"""), SseStep.Done()));
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        using var response = await gateway.Client.PostAsync(Requests.HelloStream);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(("upstream_error", "upstream_bad_response"), (error["type"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
    }
}
