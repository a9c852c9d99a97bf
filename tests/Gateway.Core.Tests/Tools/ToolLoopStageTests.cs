using System.Text;
using System.Text.Json.Nodes;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Protocols.ChatSite;
using Gateway.Streaming;
using Gateway.Tests;
using Gateway.Tools;
using Xunit;

namespace Gateway.Core.Tests.Tools;

/// <summary>
/// The streaming side of the tool loop: a chat site's reply fed to the stage in pieces of every size must
/// give the same calls and text as the whole reply, never show protocol text, stream plain text at once,
/// and say <see cref="StreamStep.Progress"/> while it holds text back.
/// </summary>
public sealed class ToolLoopStageTests
{
    private const string Nonce = "tc-streamtest";
    private const string Open = "<tool_call id=\"" + Nonce + "\">";

    private static readonly ToolProtocol Protocol = new(
        [
            new ToolDefinition("read_file", null, """{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}"""),
            new ToolDefinition("get_time", null, null),
        ],
        choice: null,
        nonce: Nonce);

    public static TheoryData<string, string, int> Replies() => new()
    {
        { "Plain text, no tools needed.", "Plain text, no tools needed.", 0 },
        { Open + """{"name":"read_file","arguments":{"path":"a"}}</tool_call>""", "", 1 },
        { "Let me look.\n" + Open + """{"name":"read_file","arguments":{"path":"a"}}</tool_call>""", "Let me look.", 1 },
        { Open + """{"name":"read_file","arguments":{"path":"a"}}</tool_call>""" + Open + """{"name":"get_time"}</tool_call>""", "", 2 },
        { """{"name":"read_file","arguments":{"path":"a"}}""", "", 1 },
        { "```json\n{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}}\n```", "", 1 },
        { "```python\nprint('a < b')\n```", "```python\nprint('a < b')\n```", 0 },
        { "a < b and <tool_cal is not a tag, <tool_call id=\"other\">{} neither", "a < b and <tool_cal is not a tag, <tool_call id=\"other\">{} neither", 0 },
        { "{\"x\": 1} is a JSON object.", "{\"x\": 1} is a JSON object.", 0 },
        { "   \n\n  Spaced answer.  ", "   \n\n  Spaced answer.  ", 0 },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void AnyPieceSize_GivesTheWholeReplysCallsAndText(string reply, string text, int calls)
    {
        foreach (var size in new[] { 1, 2, 3, 5, 7, 8, 13, 1000 })
        {
            var (shown, made, finish, _) = Feed(reply, size);

            Assert.Equal(text, shown);
            Assert.Equal(calls, made.Count);
            Assert.Equal(calls > 0 ? FinishReason.ToolCalls : FinishReason.Stop, finish);
            Assert.DoesNotContain(Nonce, shown, StringComparison.Ordinal);
            Assert.All(made, c => Assert.Matches("^call_[A-Za-z0-9]{24}$", c.Id));
            Assert.Equal(made.Count, made.Select(c => c.Id).Distinct().Count());
        }
    }

    [Fact]
    public void PlainText_GoesOutWithTheFirstPiece()
    {
        var stage = new ToolLoopStage(new ChatSiteDecoder(Request()), Protocol);
        var updates = new List<ChatUpdate>();

        var step = stage.Decode(Delta("Hello"), updates);

        Assert.Equal(StreamStep.Preamble, step);
        Assert.Equal("Hello", Assert.Single(updates).Text);
    }

    [Fact]
    public void HeldText_IsReportedAsProgress_UntilDecided()
    {
        var stage = new ToolLoopStage(new ChatSiteDecoder(Request()), Protocol);
        var updates = new List<ChatUpdate>();

        var first = stage.Decode(Delta("{\"name\":\"read_file\","), updates);
        var second = stage.Decode(Delta("\"arguments\":{\"path\":\"a\"}}"), updates);
        Assert.Empty(updates);
        stage.Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(FakeFinish)), updates);

        Assert.Equal(StreamStep.Progress, first);
        Assert.Equal(StreamStep.Progress, second);
        Assert.Equal([ChatUpdateKind.ToolCallStart, ChatUpdateKind.ToolArgumentsDelta, ChatUpdateKind.Finish], updates.Select(u => u.Kind));
    }

    [Fact]
    public void OneCallAtATime_KeepsTheFirstCall()
    {
        var single = new ToolProtocol(Protocol.Tools, null, Nonce) { ParallelOnlyOne = true };
        var (_, made, _, _) = Feed(Open + """{"name":"get_time"}</tool_call>""" + Open + """{"name":"read_file","arguments":{"path":"a"}}</tool_call>""", 4, single);

        Assert.Equal("get_time", Assert.Single(made).Name);
    }

    private const string FakeFinish = """{"type":"finish","finishReason":"stop"}""";

    private static ChatRequest Request() => TestRequests.Of(stream: true, hasTools: true);

    private static SseEvent Delta(string text) =>
        new(string.Empty, Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "text-delta", ["delta"] = text }.ToJsonString()));

    // The reply through a chat-site decoder and the stage, in pieces of <paramref name="size"/> characters.
    private static (string Text, List<(string Id, string Name, string Arguments)> Calls, FinishReason? Finish, int Progress) Feed(string reply, int size, ToolProtocol? protocol = null)
    {
        var stage = new ToolLoopStage(new ChatSiteDecoder(Request()), protocol ?? Protocol);
        var updates = new List<ChatUpdate>();
        var progress = 0;
        for (var i = 0; i < reply.Length; i += size)
        {
            if (stage.Decode(Delta(reply.Substring(i, Math.Min(size, reply.Length - i))), updates) == StreamStep.Progress)
            {
                progress++;
            }
        }

        stage.Decode(new SseEvent(string.Empty, Encoding.UTF8.GetBytes(FakeFinish)), updates);
        var text = string.Concat(updates.Where(u => u.Kind == ChatUpdateKind.TextDelta).Select(u => u.Text));
        var calls = updates.Where(u => u.Kind == ChatUpdateKind.ToolCallStart)
            .Select(u => (u.ToolId!, u.ToolName!, string.Concat(updates.Where(a => a.Kind == ChatUpdateKind.ToolArgumentsDelta && a.ToolIndex == u.ToolIndex).Select(a => a.Text))))
            .ToList();
        return (text, calls, updates.LastOrDefault(u => u.Kind == ChatUpdateKind.Finish).Finish, progress);
    }
}
