using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>
/// The Responses byte path: what goes upstream (model, stream flag, another upstream's items taken out), how
/// events are forwarded and classified, what a completed response says (id, usage, finish), and failures.
/// </summary>
public sealed partial class ResponsesPassThroughCodecTests
{
    private static readonly string OwnHash = Opaque.ProviderHash("p");

    // ---- UpstreamUri ----

    [Fact]
    public void UpstreamUri_Turn_IsTheProvidersResponsesUri()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        Assert.Equal("http://upstream.test/v1/responses", codec.UpstreamUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData("/responses")]
    [InlineData("/responses/")]
    public void UpstreamUri_Compaction_IsResponsesPathSlashCompact(string path)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""", compaction: true, responsesPath: path);

        Assert.Equal("http://upstream.test/v1/responses/compact", codec.UpstreamUri!.AbsoluteUri);
    }

    // ---- UpstreamBody ----

    [Theory]
    [InlineData("""{"model":"m","input":"hi"}""", true, """{"model":"upstream-model","input":"hi","stream":true}""")]
    [InlineData("""{"model":"m","stream":false,"input":"hi"}""", true, """{"model":"upstream-model","stream":true,"input":"hi"}""")]
    [InlineData("""{"model":"m","stream":null,"input":"hi"}""", true, """{"model":"upstream-model","stream":true,"input":"hi"}""")]
    [InlineData("""{"model":"m","stream":true, "input":"hi"}""", true, """{"model":"upstream-model","stream":true,"input":"hi"}""")]
    [InlineData("""{"model":"m","stream":true,"input":"hi"}""", false, """{"model":"upstream-model","input":"hi"}""")]
    [InlineData("""{"model":"m","stream":false,"input":"hi"}""", false, """{"model":"upstream-model","input":"hi"}""")]
    [InlineData("""{"model":"m", "input":"hi"}""", false, """{"model":"upstream-model","input":"hi"}""")]
    public void UpstreamBody_Turn_ReplacesTheModelAndSaysWhetherToStream(string body, bool stream, string expected)
    {
        var codec = Codec(body);

        Assert.Equal(expected, Text(codec.UpstreamBody(stream)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UpstreamBody_Compaction_LeavesTheStreamMemberAlone(bool stream)
    {
        Assert.Equal(
            """{"model":"upstream-model","stream":false,"input":"hi"}""",
            Text(Codec("""{"model":"m","stream":false,"input":"hi"}""", compaction: true).UpstreamBody(stream)));
        Assert.Equal(
            """{"model":"upstream-model","input":"hi"}""",
            Text(Codec("""{"model":"m","input":"hi"}""", compaction: true).UpstreamBody(stream)));
    }

    [Fact]
    public void UpstreamBody_InputWithoutGatewayMarks_KeepsItsBytes()
    {
        const string body = """{"model":"m","input":[ {"type":"reasoning","id":"rs_1","encrypted_content":"gAAA"} , {"role":"user","content":"hi"}]}""";

        Assert.Equal(body.Replace("\"m\"", "\"upstream-model\"", StringComparison.Ordinal), Text(Codec(body).UpstreamBody(false)));
    }

    [Fact]
    public void UpstreamBody_GatewayMintedIds_AreRemovedButTheItemsStay()
    {
        const string body = """{"model":"m","input":[{"type":"message","id":"msg_gw0123","role":"assistant","content":"a"},{"type":"function_call","id":"fc_1","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call","id":5,"call_id":"_gw","name":"g","arguments":"{}"}]}""";

        Assert.Equal(
            """{"model":"upstream-model","input":[{"type":"message","role":"assistant","content":"a"},{"type":"function_call","id":"fc_1","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call","id":5,"call_id":"_gw","name":"g","arguments":"{}"}]}""",
            Text(Codec(body).UpstreamBody(false)));
    }

    [Fact]
    public void UpstreamBody_ReasoningOfAnotherUpstream_IsRemoved_ItsOwnStays()
    {
        var body = "{\"model\":\"m\",\"input\":["
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~o0badbad0~SIG\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~a" + OwnHash + "~SIG\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~o" + OwnHash + "~\"},"
            + "{\"type\":\"reasoning\",\"id\":\"rs_gw1\",\"encrypted_content\":\"gw1~o" + OwnHash + "~OWN\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~o~UNTAGGED\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"xgw1~o0badbad0~SIG\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":7},"
            + "{\"role\":\"user\",\"content\":\"hi\"}]}";

        Assert.Equal(
            "{\"model\":\"upstream-model\",\"input\":["
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~o" + OwnHash + "~OWN\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"gw1~o~UNTAGGED\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":\"xgw1~o0badbad0~SIG\"},"
            + "{\"type\":\"reasoning\",\"encrypted_content\":7},"
            + "{\"role\":\"user\",\"content\":\"hi\"}]}",
            Text(Codec(body).UpstreamBody(false)));
    }

    [Fact]
    public void UpstreamBody_OnlyATaggedReasoningInTheInput_IsEnoughToLookForForeignItems()
    {
        const string body = """{"model":"m","input":[ {"type":"reasoning","encrypted_content":"gw1~a0badbad0~SIG"} , {"role":"user","content":"hi"}]}""";

        Assert.Equal(
            """{"model":"upstream-model","input":[{"role":"user","content":"hi"}]}""",
            Text(Codec(body).UpstreamBody(false)));
    }

    [Fact]
    public void UpstreamBody_InputArrayElementsThatAreNotObjects_AreLeftInPlace()
    {
        const string body = """{"model":"m","input":["x_gw",{"type":"message","id":"msg_gw1","role":"user","content":"hi"},null]}""";

        Assert.Equal(
            """{"model":"upstream-model","input":["x_gw",{"type":"message","role":"user","content":"hi"},null]}""",
            Text(Codec(body).UpstreamBody(false)));
    }

    [Fact]
    public void UpstreamBody_InputStringThatMentionsGatewayMarks_IsUntouched()
    {
        const string body = """{"model":"m","input":"msg_gw1 gw1~o~x"}""";

        Assert.Equal("""{"model":"upstream-model","input":"msg_gw1 gw1~o~x"}""", Text(Codec(body).UpstreamBody(false)));
    }

    // ---- OnUpstreamEvent ----

    [Theory]
    [InlineData("response.output_text.delta", """{"type":"response.output_text.delta","delta":"a"}""", "response.output_text.delta")]
    [InlineData("ignored", """{"sequence_number":1,"type":"response.output_item.added"}""", "response.output_item.added")]
    [InlineData("response.future_2", """{"delta":"a"}""", "response.future_2")]
    [InlineData("x", """{"type":5,"nested":{"type":"inner"}}""", "x")]
    public void OnUpstreamEvent_OtherEvent_IsContentForwardedAsTheSameBytesUnderItsType(string name, string data, string expectedName)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();
        var bytes = Encoding.UTF8.GetBytes(data);

        Assert.Equal(StreamStep.Content, codec.OnUpstreamEvent(new SseEvent(name, bytes), frames));

        var frame = Assert.Single(frames);
        Assert.Equal(data, Text(frame.Data));
        Assert.Equal(expectedName, Encoding.UTF8.GetString(frame.EventName!));
    }

    [Theory]
    [InlineData("response.created")]
    [InlineData("response.in_progress")]
    [InlineData("response.queued")]
    public void OnUpstreamEvent_CreatedInProgressQueued_IsPreambleForwarded(string type)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();
        var data = "{\"type\":\"" + type + "\",\"response\":{\"id\":\"resp_1\"}}";

        Assert.Equal(StreamStep.Preamble, codec.OnUpstreamEvent(new SseEvent("other", Encoding.UTF8.GetBytes(data)), frames));

        var frame = Assert.Single(frames);
        Assert.Equal((data, type), (Text(frame.Data), Encoding.UTF8.GetString(frame.EventName!)));
        Assert.Equal(string.Empty, codec.ResponseId);
    }

    [Theory]
    [InlineData("error", """{"type":"error","code":"server_error","message":"boom"}""")]
    [InlineData("response.failed", """{"type":"response.failed","response":{"id":"resp_1","status":"failed"}}""")]
    public void OnUpstreamEvent_ErrorOrFailed_IsUpstreamErrorForwarded_AndTheEndAddsNothing(string type, string data)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.UpstreamError, codec.OnUpstreamEvent(new SseEvent("message", Encoding.UTF8.GetBytes(data)), frames));
        var frame = Assert.Single(frames);
        Assert.Equal((data, type), (Text(frame.Data), Encoding.UTF8.GetString(frame.EventName!)));

        frames.Clear();
        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, null));
        Assert.Empty(frames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("response.output_text delta")]
    [InlineData("response-created")]
    [InlineData("x\ndata: {}")]
    [InlineData("réponse")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234x")]
    public void OnUpstreamEvent_TypeThatIsNotAPlainNameOfAtMost64_IsMalformedAndSendsNothing(string type)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();
        var data = "{\"type\":" + JsonSerializer.Serialize(type) + "}";

        Assert.Equal(StreamStep.Malformed, codec.OnUpstreamEvent(new SseEvent("x", Encoding.UTF8.GetBytes(data)), frames));
        Assert.Empty(frames);
    }

    [Fact]
    public void OnUpstreamEvent_NoTypeAndNoEventName_IsMalformed()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Malformed, codec.OnUpstreamEvent(new SseEvent(string.Empty, "{}"u8.ToArray()), frames));
        Assert.Empty(frames);
    }

    [Fact]
    public void OnUpstreamEvent_TypeOf64Characters_IsForwarded()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();
        var type = "response." + new string('z', 53) + "_9";

        Assert.Equal(StreamStep.Content, codec.OnUpstreamEvent(new SseEvent("x", Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\"}")), frames));
        Assert.Equal(64, type.Length);
        Assert.Equal(type, Encoding.UTF8.GetString(Assert.Single(frames).EventName!));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"response.created\"")]
    public void OnUpstreamEvent_DataThatIsNotAnObject_Throws(string data)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        var error = Assert.Throws<JsonException>(() => codec.OnUpstreamEvent(new SseEvent("response.created", Encoding.UTF8.GetBytes(data)), []));
        Assert.Equal("not an object", error.Message);
    }

    // Regression: only the event up to its "type" was read, so a cut-off delta went to the client as it was.
    [Theory]
    [InlineData("""{"type":"response.output_text.delta","delta":"Hel""")]
    [InlineData("""{"type":"response.output_text.delta","delta":"a"}{}""")]
    public void OnUpstreamEvent_DataThatIsNotOneWholeObject_IsMalformedThroughTheGuard(string data)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamStep.Malformed, CodecGuard.OnUpstreamEvent(codec, new SseEvent("response.output_text.delta", Encoding.UTF8.GetBytes(data)), frames));
        Assert.Empty(frames);
    }

    // A cut-off body is no answer (the guard turns the parse's throw into false), whatever member comes first.
    [Fact]
    public void TryAnswerWhole_CutOffResponse_IsNoAnswer()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        Assert.False(CodecGuard.TryAnswerWhole(codec, """{"object":"response","id":"resp_1","output":[{"type":"message","content":[{"type":"output_text","text":"Hel"""u8.ToArray(), out _));
    }

    [Theory]
    [InlineData("response.completed")]
    [InlineData("response.incomplete")]
    public void OnUpstreamEvent_Terminal_IsHeldUntilTheEnd_ThenSentAndKept(string type)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var keeper = new CountingKeeper();
        codec.Keeper = keeper;
        var frames = new List<SseFrame>();
        var data = "{\"type\":\"" + type + "\",\"response\":{\"id\":\"resp_9\",\"status\":\"completed\",\"output\":[]}}";

        Assert.Equal(StreamStep.Content, codec.OnUpstreamEvent(new SseEvent("x", Encoding.UTF8.GetBytes(data)), frames));
        Assert.Empty(frames);
        Assert.Equal(0, keeper.Completed);

        Assert.Equal(StreamEnd.Completed, codec.OnUpstreamEnd(frames, StreamErrors.Interrupted()));
        var frame = Assert.Single(frames);
        Assert.Equal((data, type), (Text(frame.Data), Encoding.UTF8.GetString(frame.EventName!)));
        Assert.Equal(1, keeper.Completed);
        Assert.Equal("resp_9", codec.ResponseId);
    }

    [Fact]
    public void OnUpstreamEnd_TerminalWithoutKeeper_IsCompleted()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();
        codec.OnUpstreamEvent(new SseEvent("x", """{"type":"response.completed","response":{"id":"r"}}"""u8.ToArray()), frames);

        Assert.Equal(StreamEnd.Completed, codec.OnUpstreamEnd(frames, null));
        Assert.Single(frames);
    }

    [Fact]
    public void OnUpstreamEnd_CutShortWithoutAnError_SendsResponseFailedWithTheInterruption()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var keeper = new CountingKeeper();
        codec.Keeper = keeper;
        var frames = new List<SseFrame>();
        codec.OnUpstreamEvent(new SseEvent("x", """{"type":"response.output_text.delta","delta":"a"}"""u8.ToArray()), frames);
        frames.Clear();

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, new GatewayError(504, "timeout", "idle_timeout", "no data for 30 s") { EndReason = "idle" }));

        var frame = Assert.Single(frames);
        Assert.Equal("response.failed", Encoding.UTF8.GetString(frame.EventName!));
        Assert.Equal(
            """{"type":"response.failed","sequence_number":0,"response":{"id":"resp_gw<generated>","object":"response","created_at":<now>,"status":"failed","error":{"code":"idle_timeout","message":"no data for 30 s"},"output":[],"usage":null}}""",
            Scrub(Text(frame.Data)));
        Assert.Equal(0, keeper.Completed);
    }

    [Fact]
    public void OnUpstreamEnd_CutShortWithoutReason_SaysTheStreamWasInterrupted()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamEnd.Interrupted, codec.OnUpstreamEnd(frames, null));

        Assert.Equal(
            """{"type":"response.failed","sequence_number":0,"response":{"id":"resp_gw<generated>","object":"response","created_at":<now>,"status":"failed","error":{"code":"stream_interrupted","message":"The upstream ended the stream before it finished."},"output":[],"usage":null}}""",
            Scrub(Text(Assert.Single(frames).Data)));
    }

    // ---- What a completed response says ----

    [Theory]
    [InlineData("""{"input_tokens":100,"input_tokens_details":{"cached_tokens":30},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":20}}""", 70, 30, 50, 20)]
    [InlineData("""{"input_tokens":100,"output_tokens":50}""", 100, 0, 50, 0)]
    [InlineData("""{"input_tokens":100,"input_tokens_details":5,"output_tokens":50,"output_tokens_details":[1]}""", 100, 0, 50, 0)]
    [InlineData("""{"input_tokens":100,"input_tokens_details":{},"output_tokens_details":{}}""", 100, 0, 0, 0)]
    [InlineData("""{"input_tokens":10,"input_tokens_details":{"cached_tokens":30}}""", 0, 10, 0, 0)]
    [InlineData("""{"input_tokens":10,"input_tokens_details":{"cached_tokens":-3}}""", 10, 0, 0, 0)]
    [InlineData("""{"input_tokens":-5,"input_tokens_details":{"cached_tokens":3},"output_tokens":2}""", 0, 0, 2, 0)]
    [InlineData("""{"output_tokens":7}""", 0, 0, 7, 0)]
    public void TryAnswerWhole_ReadsTheUsage_CachedInputOutOfInput(string usage, int input, int cached, int output, int reasoning)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes("{\"object\":\"response\",\"id\":\"resp_1\",\"usage\":" + usage + "}"), out _));

        Assert.Equal(new TokenUsage(input, output, false) { CacheReadTokens = cached, ReasoningTokens = reasoning }, codec.Usage);
    }

    [Theory]
    [InlineData(""","usage":null""")]
    [InlineData(""","usage":[]""")]
    [InlineData("")]
    public void TryAnswerWhole_NoUsageObject_LeavesUsageUnknown(string usage)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes("{\"object\":\"response\"" + usage + "}"), out _));

        Assert.Null(codec.Usage);
        Assert.Equal(string.Empty, codec.ResponseId);
    }

    [Theory]
    [InlineData("""{"status":"completed","output":[{"type":"message"}]}""", "stop")]
    [InlineData("""{"status":"completed"}""", "stop")]
    [InlineData("""{"status":"completed","output":{"type":"function_call"}}""", "stop")]
    [InlineData("""{"status":"completed","output":[{"type":"message"},{"type":"function_call"}]}""", "tool_calls")]
    [InlineData("""{"status":"completed","output":[{"type":"custom_tool_call"}]}""", "tool_calls")]
    [InlineData("""{"status":"completed","output":[{"type":"web_search_call"}]}""", "stop")]
    [InlineData("""{"status":"incomplete","output":[{"type":"function_call"}]}""", "length")]
    [InlineData("""{"output":[]}""", "stop")]
    public void OnUpstreamEvent_Completed_FinishFromStatusAndOutput(string response, string finish)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        codec.OnUpstreamEvent(new SseEvent("x", Encoding.UTF8.GetBytes("{\"type\":\"response.completed\",\"response\":" + response + "}")), []);

        Assert.Equal(finish, codec.Finish!.Value.ToString());
    }

    [Fact]
    public void OnUpstreamEvent_CompletedWithoutAResponse_ReadsNothingAndKeepsNoItems()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        codec.OnUpstreamEvent(new SseEvent("x", """{"type":"response.completed","id":"resp_outer","output":[{"type":"message"}]}"""u8.ToArray()), []);

        Assert.Equal((string.Empty, (FinishReason?)null), (codec.ResponseId, codec.Finish));
        Assert.Equal("[]", OutputItems(codec));
    }

    [Fact]
    public void WriteOutputItems_AfterTheTerminalEvent_WritesItsResponsesOutputItems()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        codec.OnUpstreamEvent(new SseEvent("x", """{"type":"response.completed","sequence_number":9,"response":{"id":"resp_1","output":[{"type":"message","id":"msg_1","content":[]},{"type":"reasoning","summary":[]}]}}"""u8.ToArray()), []);

        Assert.Equal("""[{"type":"message","id":"msg_1","content":[]},{"type":"reasoning","summary":[]}]""", OutputItems(codec));
    }

    [Theory]
    [InlineData("""{"object":"response","id":"r"}""")]
    [InlineData("""{"object":"response","output":{"type":"message"}}""")]
    public void WriteOutputItems_ResponseWithoutAnOutputArray_WritesNothing(string body)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(body), out _));

        Assert.Equal("[]", OutputItems(codec));
    }

    [Fact]
    public void WriteOutputItems_BeforeAnyResponse_WritesNothing()
    {
        Assert.Equal("[]", OutputItems(Codec("""{"model":"m","input":"hi"}""")));
    }

    // ---- Whole answers ----

    [Fact]
    public void TryAnswerWhole_Response_IsRelayedAsItIsAndKept()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var keeper = new CountingKeeper();
        codec.Keeper = keeper;
        var body = Encoding.UTF8.GetBytes("""{"id":"resp_7","object":"response","status":"completed","output":[{"type":"function_call","name":"f"}]}""");

        Assert.True(codec.TryAnswerWhole(body, out var answer));

        Assert.Equal(Encoding.UTF8.GetString(body), Text(answer));
        Assert.Equal(("resp_7", (FinishReason?)FinishReason.ToolCalls, 1), (codec.ResponseId, codec.Finish, keeper.Completed));
        Assert.Equal("""[{"type":"function_call","name":"f"}]""", OutputItems(codec));
    }

    [Theory]
    [InlineData("""{"id":"resp_7","object":"chat.completion"}""")]
    [InlineData("""{"id":"resp_7","object":5}""")]
    [InlineData("""{"id":"resp_7","type":"response"}""")]
    public void TryAnswerWhole_NotAResponse_IsRefused(string body)
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        var keeper = new CountingKeeper();
        codec.Keeper = keeper;

        Assert.False(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(body), out var answer));

        Assert.Equal(body, Text(answer));
        Assert.Equal(0, keeper.Completed);
        Assert.Equal(string.Empty, codec.ResponseId);
    }

    [Fact]
    public void TryAnswerWhole_Compaction_RelaysAnyBodyWithoutReadingIt()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""", compaction: true);
        var keeper = new CountingKeeper();
        codec.Keeper = keeper;
        const string body = """{"id":"cmp_1","object":"response.compaction","output":[]}""";

        Assert.True(codec.TryAnswerWhole(Encoding.UTF8.GetBytes(body), out var answer));

        Assert.Equal(body, Text(answer));
        Assert.Equal((string.Empty, (FinishReason?)null, 0), (codec.ResponseId, codec.Finish, keeper.Completed));
    }

    [Fact]
    public void EventsOfWhole_Response_IsItsCompletedEvent()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");

        var events = codec.EventsOfWhole("""{"id":"resp_1","object":"response"}"""u8);

        var e = Assert.Single(events!);
        Assert.Equal("response.completed", e.EventType);
        Assert.Equal("""{"type":"response.completed","sequence_number":0,"response":{"id":"resp_1","object":"response"}}""", Text(e.Data));
    }

    [Fact]
    public void EventsOfWhole_NotAResponse_IsNull()
    {
        Assert.Null(Codec("""{"model":"m","input":"hi"}""").EventsOfWhole("""{"object":"error"}"""u8));
    }

    // ---- Failures ----

    [Theory]
    [InlineData("""{"error":{"message":"Invalid API key provided"}}""", "Auth")]
    [InlineData("""{"error":{"message":"The server had an error"}}""", "BadResponse")]
    [InlineData("""{"type":"response.failed","response":{"error":{"code":"insufficient_quota","message":"You exceeded your quota"}}}""", "Auth")]
    [InlineData("""{"type":"response.failed","response":{"error":{"message":"server overloaded"}}}""", "BadResponse")]
    [InlineData("""{"type":"response.failed","response":{"error":null,"note":"billing"}}""", "BadResponse")]
    [InlineData("""{"type":"response.failed","response":"billing"}""", "BadResponse")]
    [InlineData("""{"type":"error","message":"Your credit balance is too low"}""", "Auth")]
    [InlineData("not json, quota", "BadResponse")]
    public void FailureOf_ReadsTheErrorMessage_CredentialsAreAuth(string data, string kind)
    {
        var failure = Codec("""{"model":"m","input":"hi"}""").FailureOf(Encoding.UTF8.GetBytes(data), 200, "upstream error event");

        Assert.Equal((kind, (int?)200, "upstream error event"), (failure.Kind.ToString(), failure.Status, failure.Detail));
    }

    [Fact]
    public async Task FinishTurnAsync_FlushesTheKeeper()
    {
        var codec = Codec("""{"model":"m","input":"hi"}""");
        await codec.FinishTurnAsync(CancellationToken.None);

        var keeper = new CountingKeeper();
        codec.Keeper = keeper;
        await codec.FinishTurnAsync(CancellationToken.None);

        Assert.Equal(1, keeper.Flushed);
    }

    private static ResponsesPassThroughCodec Codec(string body, bool compaction = false, string responsesPath = "/responses")
    {
        var request = TestRequests.Of(WireFormat.OpenAIResponses, body, compaction: compaction);
        var provider = new Provider("p", new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", ResponsesPath = responsesPath });
        return new ResponsesPassThroughCodec(request, new RouteTarget(provider, "upstream-model", 1, null));
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static string OutputItems(ResponsesPassThroughCodec codec)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            codec.WriteOutputItems(writer);
            writer.WriteEndArray();
        }

        return Text(buffer.WrittenMemory);
    }

    private static string Scrub(string text) => CreatedAt().Replace(GeneratedId().Replace(text, "resp_gw<generated>"), "\"created_at\":<now>");

    [GeneratedRegex("resp_gw[0-9a-f]{24}")]
    private static partial Regex GeneratedId();

    [GeneratedRegex("\"created_at\":[0-9]+")]
    private static partial Regex CreatedAt();

    private sealed class CountingKeeper : ITurnObserver
    {
        public int Completed { get; private set; }

        public int Flushed { get; private set; }

        public void Observe(in ChatUpdate update)
        {
        }

        public void TurnCompleted() => Completed++;

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flushed++;
            return ValueTask.CompletedTask;
        }
    }
}
