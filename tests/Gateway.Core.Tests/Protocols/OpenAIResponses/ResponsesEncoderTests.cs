using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Protocols.OpenAIResponses;
using Gateway.Streaming;
using Xunit;

namespace Gateway.Tests.Protocols.OpenAIResponses;

/// <summary>
/// Neutral updates as Responses events: reasoning items (signatures, redacted payloads, an unsigned origin),
/// custom and namespaced tool calls, how a response ends (completed, incomplete, failed), what a whole
/// response and a kept one say, and the request's settings echoed in the response object.
/// </summary>
public sealed partial class ResponsesEncoderTests
{
    private const string Body = """{"model":"gw-agent","input":"hi","tools":[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"spawn"}]}]}""";

    private static readonly Opaque Signature = new("SIG", ProviderKind.Anthropic, "abcd1234");

    [Fact]
    public void Encode_OtherChoicesAndEmptyDeltas_StartNothing()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.TextDelta("x", choice: 1), ChatUpdate.TextDelta(string.Empty), ChatUpdate.ReasoningDelta(string.Empty), ChatUpdate.UsageReport(new TokenUsage(1, 1, false)), ChatUpdate.Finished(FinishReason.Stop, choice: 1)], frames);

        Assert.Empty(frames);
        Assert.False(encoder.AllChoicesFinished);
        Assert.Null(encoder.Finish);
    }

    [Fact]
    public void Encode_SignedReasoningThenASecondSignature_AreTwoReasoningItems()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.ReasoningDelta("think"), ChatUpdate.ReasoningSignature(Signature), ChatUpdate.ReasoningSignature(Signature with { Value = "SIG2" }), ChatUpdate.TextDelta("hi"), ChatUpdate.Finished(FinishReason.Stop)], frames);

        Assert.Equal(
            """
            response.output_item.added {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.reasoning_summary_part.added {"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}
            response.reasoning_summary_text.delta {"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"delta":"think"}
            response.reasoning_summary_text.done {"type":"response.reasoning_summary_text.done","sequence_number":5,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"text":"think"}
            response.reasoning_summary_part.done {"type":"response.reasoning_summary_part.done","sequence_number":6,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"think"}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[{"type":"summary_text","text":"think"}],"encrypted_content":"gw1~aabcd1234~SIG"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[],"encrypted_content":"gw1~aabcd1234~SIG2"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":10,"output_index":2,"item":{"id":"msg_gw<id>","type":"message","status":"in_progress","role":"assistant","content":[]}}
            response.content_part.added {"type":"response.content_part.added","sequence_number":11,"item_id":"msg_gw<id>","output_index":2,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}
            response.output_text.delta {"type":"response.output_text.delta","sequence_number":12,"item_id":"msg_gw<id>","output_index":2,"content_index":0,"delta":"hi","logprobs":[]}
            response.output_text.done {"type":"response.output_text.done","sequence_number":13,"item_id":"msg_gw<id>","output_index":2,"content_index":0,"text":"hi","logprobs":[]}
            response.content_part.done {"type":"response.content_part.done","sequence_number":14,"item_id":"msg_gw<id>","output_index":2,"content_index":0,"part":{"type":"output_text","text":"hi","annotations":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":15,"output_index":2,"item":{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"hi","annotations":[]}]}}
            """,
            Transcript(frames, skip: 2));
        Assert.Equal(FinishReason.Stop, encoder.Finish);
        Assert.True(encoder.AllChoicesFinished);
    }

    [Fact]
    public void Encode_RedactedReasoning_IsAReasoningItemOfItsOwn_WithThePrefixedPayload()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.ReasoningDelta("a"), ChatUpdate.RedactedReasoning(Signature with { Value = "DATA" }), ChatUpdate.ReasoningDelta("b")], frames);

        Assert.Equal(
            """
            response.output_item.added {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.reasoning_summary_part.added {"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}
            response.reasoning_summary_text.delta {"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"delta":"a"}
            response.reasoning_summary_text.done {"type":"response.reasoning_summary_text.done","sequence_number":5,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"text":"a"}
            response.reasoning_summary_part.done {"type":"response.reasoning_summary_part.done","sequence_number":6,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"a"}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[{"type":"summary_text","text":"a"}]}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[],"encrypted_content":"gw1~aabcd1234~redacted_thinking:DATA"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":10,"output_index":2,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.reasoning_summary_part.added {"type":"response.reasoning_summary_part.added","sequence_number":11,"item_id":"rs_gw<id>","output_index":2,"summary_index":0,"part":{"type":"summary_text","text":""}}
            response.reasoning_summary_text.delta {"type":"response.reasoning_summary_text.delta","sequence_number":12,"item_id":"rs_gw<id>","output_index":2,"summary_index":0,"delta":"b"}
            """,
            Transcript(frames, skip: 2));
    }

    [Fact]
    public void Encode_UnsignedReasoning_CarriesTheOriginWhenItHasText()
    {
        var encoder = Encoder(Body, origin: new Opaque(string.Empty, ProviderKind.OpenAI, "beef0000"));
        var frames = new List<SseFrame>();

        encoder.Encode([ChatUpdate.ReasoningDelta("r"), ChatUpdate.TextDelta("t"), new ChatUpdate { Kind = ChatUpdateKind.ReasoningSignature, Opaque = Signature }, new ChatUpdate { Kind = ChatUpdateKind.RefusalDelta, Text = "no" }], frames);

        Assert.Equal(
            """
            response.output_item.added {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.reasoning_summary_part.added {"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}
            response.reasoning_summary_text.delta {"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"delta":"r"}
            response.reasoning_summary_text.done {"type":"response.reasoning_summary_text.done","sequence_number":5,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"text":"r"}
            response.reasoning_summary_part.done {"type":"response.reasoning_summary_part.done","sequence_number":6,"item_id":"rs_gw<id>","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"r"}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[{"type":"summary_text","text":"r"}],"encrypted_content":"gw1~obeef0000~"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"msg_gw<id>","type":"message","status":"in_progress","role":"assistant","content":[]}}
            response.content_part.added {"type":"response.content_part.added","sequence_number":9,"item_id":"msg_gw<id>","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}
            response.output_text.delta {"type":"response.output_text.delta","sequence_number":10,"item_id":"msg_gw<id>","output_index":1,"content_index":0,"delta":"t","logprobs":[]}
            response.output_text.done {"type":"response.output_text.done","sequence_number":11,"item_id":"msg_gw<id>","output_index":1,"content_index":0,"text":"t","logprobs":[]}
            response.content_part.done {"type":"response.content_part.done","sequence_number":12,"item_id":"msg_gw<id>","output_index":1,"content_index":0,"part":{"type":"output_text","text":"t","annotations":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":13,"output_index":1,"item":{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"t","annotations":[]}]}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":14,"output_index":2,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":15,"output_index":2,"item":{"id":"rs_gw<id>","type":"reasoning","summary":[],"encrypted_content":"gw1~aabcd1234~SIG"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":16,"output_index":3,"item":{"id":"msg_gw<id>","type":"message","status":"in_progress","role":"assistant","content":[]}}
            response.content_part.added {"type":"response.content_part.added","sequence_number":17,"item_id":"msg_gw<id>","output_index":3,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}
            response.output_text.delta {"type":"response.output_text.delta","sequence_number":18,"item_id":"msg_gw<id>","output_index":3,"content_index":0,"delta":"no","logprobs":[]}
            """,
            Transcript(frames, skip: 2));
    }

    [Fact]
    public void Encode_ToolCalls_NamespacedCustomAndWithoutId()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();

        encoder.Encode(
            [
                ChatUpdate.TextDelta("calling"),
                new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 0, ToolId = "call_1", ToolName = "ns__spawn", Text = "{\"a\":" },
                ChatUpdate.ToolCallStart(0, "call_dup", "other"),
                ChatUpdate.ToolCallStart(1, "call_2", "apply_patch", custom: true),
                ChatUpdate.ToolArguments(0, "1}"),
                ChatUpdate.ToolArguments(1, string.Empty),
                ChatUpdate.ToolArguments(5, "lost"),
                new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 2, ToolName = "plain" },
                new ChatUpdate { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = 3 },
                ChatUpdate.ToolArguments(1, "*** Begin"),
                ChatUpdate.Finished(FinishReason.Stop),
            ],
            frames);

        Assert.Equal(
            """
            response.output_item.added {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_gw<id>","type":"message","status":"in_progress","role":"assistant","content":[]}}
            response.content_part.added {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_gw<id>","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}
            response.output_text.delta {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_gw<id>","output_index":0,"content_index":0,"delta":"calling","logprobs":[]}
            response.output_text.done {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_gw<id>","output_index":0,"content_index":0,"text":"calling","logprobs":[]}
            response.content_part.done {"type":"response.content_part.done","sequence_number":6,"item_id":"msg_gw<id>","output_index":0,"content_index":0,"part":{"type":"output_text","text":"calling","annotations":[]}}
            response.output_item.done {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"calling","annotations":[]}]}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"fc_gw<id>","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"spawn","namespace":"ns"}}
            response.function_call_arguments.delta {"type":"response.function_call_arguments.delta","sequence_number":9,"item_id":"fc_gw<id>","output_index":1,"delta":"{\"a\":"}
            response.output_item.added {"type":"response.output_item.added","sequence_number":10,"output_index":2,"item":{"id":"ctc_gw<id>","type":"custom_tool_call","status":"in_progress","call_id":"call_2","name":"apply_patch","input":""}}
            response.function_call_arguments.delta {"type":"response.function_call_arguments.delta","sequence_number":11,"item_id":"fc_gw<id>","output_index":1,"delta":"1}"}
            response.output_item.added {"type":"response.output_item.added","sequence_number":12,"output_index":3,"item":{"id":"fc_gw<id>","type":"function_call","status":"in_progress","arguments":"","call_id":"call_gw<id>","name":"plain"}}
            response.output_item.added {"type":"response.output_item.added","sequence_number":13,"output_index":4,"item":{"id":"fc_gw<id>","type":"function_call","status":"in_progress","arguments":"","call_id":"call_gw<id>","name":""}}
            response.custom_tool_call_input.delta {"type":"response.custom_tool_call_input.delta","sequence_number":14,"item_id":"ctc_gw<id>","output_index":2,"delta":"*** Begin"}
            response.function_call_arguments.done {"type":"response.function_call_arguments.done","sequence_number":15,"item_id":"fc_gw<id>","output_index":1,"arguments":"{\"a\":1}"}
            response.output_item.done {"type":"response.output_item.done","sequence_number":16,"output_index":1,"item":{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{\"a\":1}","call_id":"call_1","name":"spawn","namespace":"ns"}}
            response.custom_tool_call_input.done {"type":"response.custom_tool_call_input.done","sequence_number":17,"item_id":"ctc_gw<id>","output_index":2,"input":"*** Begin"}
            response.output_item.done {"type":"response.output_item.done","sequence_number":18,"output_index":2,"item":{"id":"ctc_gw<id>","type":"custom_tool_call","status":"completed","call_id":"call_2","name":"apply_patch","input":"*** Begin"}}
            response.function_call_arguments.done {"type":"response.function_call_arguments.done","sequence_number":19,"item_id":"fc_gw<id>","output_index":3,"arguments":"{}"}
            response.output_item.done {"type":"response.output_item.done","sequence_number":20,"output_index":3,"item":{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{}","call_id":"call_gw<id>","name":"plain"}}
            response.function_call_arguments.done {"type":"response.function_call_arguments.done","sequence_number":21,"item_id":"fc_gw<id>","output_index":4,"arguments":"{}"}
            response.output_item.done {"type":"response.output_item.done","sequence_number":22,"output_index":4,"item":{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{}","call_id":"call_gw<id>","name":""}}
            """,
            Transcript(frames, skip: 2));
        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
    }

    [Theory]
    [InlineData("length", "response.incomplete", "incomplete", "max_output_tokens")]
    [InlineData("content_filter", "response.incomplete", "incomplete", "content_filter")]
    [InlineData("stop", "response.completed", "completed", null)]
    [InlineData("pause_turn", "response.completed", "completed", null)]
    public void Complete_TheFinishNamesTheLastEvent(string finish, string name, string status, string? reason)
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();
        encoder.Encode([ChatUpdate.TextDelta("t"), ChatUpdate.Finished(new FinishReason(finish))], frames);
        frames.Clear();

        encoder.Complete(frames, new TokenUsage(3, 2, false), StreamErrors.Interrupted());

        var frame = Assert.Single(frames);
        Assert.Equal(name, Encoding.UTF8.GetString(frame.EventName!));
        using var document = JsonDocument.Parse(frame.Data);
        var response = document.RootElement.GetProperty("response");
        Assert.Equal(status, response.GetProperty("status").GetString());
        Assert.Equal(reason is null ? "null" : "{\"reason\":\"" + reason + "\"}", response.GetProperty("incomplete_details").GetRawText());
        Assert.Equal("null", response.GetProperty("error").GetRawText());
    }

    [Fact]
    public void Complete_WithoutAFinish_ClosesTheOpenItemsAndFails()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();
        encoder.Encode([ChatUpdate.TextDelta("partial"), ChatUpdate.ToolCallStart(0, "call_1", "f")], frames);
        frames.Clear();

        encoder.Complete(frames, new TokenUsage(3, 2, false), new GatewayError(502, "upstream_error", "stream_interrupted", "cut") { EndReason = "x" });

        Assert.Equal(
            """
            response.function_call_arguments.done {"type":"response.function_call_arguments.done","sequence_number":9,"item_id":"fc_gw<id>","output_index":1,"arguments":"{}"}
            response.output_item.done {"type":"response.output_item.done","sequence_number":10,"output_index":1,"item":{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{}","call_id":"call_1","name":"f"}}
            response.failed {"type":"response.failed","sequence_number":11,"response":{"id":"resp_gw<id>","object":"response","created_at":1700000000,"status":"failed","background":false,"error":{"code":"stream_interrupted","message":"cut"},"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gw-agent","output":[{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"partial","annotations":[]}]},{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{}","call_id":"call_1","name":"f"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"truncation":"disabled","usage":{"input_tokens":3,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5},"metadata":{}}}
            """,
            Transcript(frames, skip: 0));
        Assert.False(encoder.AllChoicesFinished);
    }

    [Fact]
    public void Complete_NothingEncoded_StartsThenFails()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();

        encoder.Complete(frames, default, StreamErrors.Interrupted());

        Assert.Equal(["response.created", "response.in_progress", "response.failed"], frames.Select(f => Encoding.UTF8.GetString(f.EventName!)));
    }

    [Fact]
    public void EncodeWhole_EchoesTheRequestsSettings()
    {
        var request = ResponsesGoldenTests.Parse("""{"model":"gw-agent","input":"hi","max_output_tokens":64,"parallel_tool_calls":false,"reasoning":{"effort":"low"}}""");
        request.PreviousResponseId = "resp_prev";
        request.KeepResponse = true;
        var encoder = new ResponsesEncoder(request, null, 1_700_000_000);

        var body = encoder.EncodeWhole([ChatUpdate.TextDelta("hello")], new TokenUsage(10, 5, false) { CacheReadTokens = 4, CacheWriteTokens = 1, ReasoningTokens = 2 });

        Assert.Equal(
            """{"id":"resp_gw<id>","object":"response","created_at":1700000000,"status":"completed","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":64,"model":"gw-agent","output":[{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"hello","annotations":[]}]}],"parallel_tool_calls":false,"previous_response_id":"resp_prev","reasoning":{"effort":"low","summary":null},"store":true,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"truncation":"disabled","usage":{"input_tokens":15,"input_tokens_details":{"cached_tokens":4},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":20},"metadata":{}}""",
            Scrub(Encoding.UTF8.GetString(body.Span)));
        Assert.Equal(FinishReason.Stop, encoder.Finish);
    }

    [Fact]
    public void EncodeWhole_ToolCallWithoutFinish_IsCompletedWithToolCalls()
    {
        var encoder = Encoder(Body);

        var body = encoder.EncodeWhole([ChatUpdate.ToolCallStart(0, "call_1", "f")], default);

        Assert.Equal(FinishReason.ToolCalls, encoder.Finish);
        Assert.Equal(
            """{"id":"resp_gw<id>","object":"response","created_at":1700000000,"status":"completed","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gw-agent","output":[{"id":"fc_gw<id>","type":"function_call","status":"completed","arguments":"{}","call_id":"call_1","name":"f"}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":false,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"truncation":"disabled","usage":{"input_tokens":0,"input_tokens_details":{"cached_tokens":0},"output_tokens":0,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":0},"metadata":{}}""",
            Scrub(Encoding.UTF8.GetString(body.Span)));
    }

    [Fact]
    public void EncodeWhole_Length_IsIncomplete()
    {
        var encoder = Encoder(Body);

        var body = encoder.EncodeWhole([ChatUpdate.TextDelta("t"), ChatUpdate.Finished(FinishReason.Length)], default);

        using var document = JsonDocument.Parse(body);
        Assert.Equal(("incomplete", "max_output_tokens"), (document.RootElement.GetProperty("status").GetString(), document.RootElement.GetProperty("incomplete_details").GetProperty("reason").GetString()));
    }

    [Fact]
    public void WriteOutputItems_AreTheCompletedItems()
    {
        var encoder = Encoder(Body);
        encoder.Encode([ChatUpdate.ReasoningDelta("r"), ChatUpdate.TextDelta("t"), ChatUpdate.ToolCallStart(0, "call_1", "ns__spawn", custom: true)], []);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            encoder.WriteOutputItems(writer);
            writer.WriteEndArray();
        }

        Assert.Equal(
            """[{"id":"rs_gw<id>","type":"reasoning","summary":[{"type":"summary_text","text":"r"}]},{"id":"msg_gw<id>","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"t","annotations":[]}]},{"id":"ctc_gw<id>","type":"custom_tool_call","status":"completed","call_id":"call_1","name":"spawn","namespace":"ns","input":""}]""",
            Scrub(Encoding.UTF8.GetString(buffer.WrittenSpan)));
    }

    [Fact]
    public void ResponseId_IsRespGwAnd24HexDigits_TheSameInEveryEvent()
    {
        var encoder = Encoder(Body);
        var frames = new List<SseFrame>();
        encoder.Encode([ChatUpdate.TextDelta("t"), ChatUpdate.Finished(FinishReason.Stop)], frames);
        encoder.Complete(frames, default, StreamErrors.Interrupted());

        Assert.Matches("^resp_gw[0-9a-f]{24}$", encoder.ResponseId);
        Assert.Contains("\"id\":\"" + encoder.ResponseId + "\"", Encoding.UTF8.GetString(frames[^1].Data.Span), StringComparison.Ordinal);
        Assert.Contains("\"id\":\"" + encoder.ResponseId + "\"", Encoding.UTF8.GetString(frames[0].Data.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void FailedAlone_IsAResponseFailedEventWithTheError()
    {
        var frame = ResponsesEncoder.FailedAlone(new GatewayError(503, "unavailable", "no_upstream", "No upstream could serve the request.") { EndReason = "x" }, 1_700_000_000);

        Assert.Equal("response.failed", Encoding.UTF8.GetString(frame.EventName!));
        Assert.Equal(
            """{"type":"response.failed","sequence_number":0,"response":{"id":"resp_gw<id>","object":"response","created_at":1700000000,"status":"failed","error":{"code":"no_upstream","message":"No upstream could serve the request."},"output":[],"usage":null}}""",
            Scrub(Encoding.UTF8.GetString(frame.Data.Span)));
    }

    [Fact]
    public void Inbound_KeepAliveIsAComment_StreamErrorIsResponseFailed()
    {
        var frames = new List<SseFrame>();

        ResponsesInbound.Instance.AppendStreamError(new GatewayError(502, "upstream_error", "stream_interrupted", "cut") { EndReason = "x" }, frames);

        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(ResponsesInbound.Instance.KeepAlive.Span));
        var frame = Assert.Single(frames);
        Assert.Equal("response.failed", Encoding.UTF8.GetString(frame.EventName!));
        Assert.Contains("\"error\":{\"code\":\"stream_interrupted\",\"message\":\"cut\"}", Encoding.UTF8.GetString(frame.Data.Span), StringComparison.Ordinal);
    }

    private static ResponsesEncoder Encoder(string body, Opaque? origin = null) => new(ResponsesGoldenTests.Parse(body), origin, 1_700_000_000);

    // Each frame as "event-name data", the response.created/in_progress preamble skipped.
    private static string Transcript(List<SseFrame> frames, int skip) =>
        string.Join("\n", frames.Skip(skip).Select(f => Encoding.UTF8.GetString(f.EventName!) + " " + Scrub(Encoding.UTF8.GetString(f.Data.Span))));

    private static string Scrub(string text) => GeneratedId().Replace(text, "$1_gw<id>");

    [GeneratedRegex("(resp|msg|rs|fc|ctc|call)_gw[0-9a-f]{24}")]
    private static partial Regex GeneratedId();
}
