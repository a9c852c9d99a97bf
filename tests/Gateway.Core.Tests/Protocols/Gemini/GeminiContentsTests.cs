using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Gemini;
using Gateway.Providers;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

/// <summary>The conversation as Gemini contents: roles, merged turns, calls and paired results, signatures.</summary>
public sealed class GeminiContentsTests
{
    private static readonly Provider Provider = new("g", new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "http://gemini.test/v1beta" });

    [Fact]
    public void Build_SystemSkipped_EmptyTurnsSkipped_SameRoleMerged()
    {
        var contents = Build(
            new ChatMessage(ChatRole.System, [new TextPart("sys")]),
            new ChatMessage(ChatRole.User, [new TextPart("a"), new TextPart("  ")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart(" \n")]),
            new ChatMessage(ChatRole.User, [new TextPart("b")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("c")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("d")]),
            new ChatMessage(ChatRole.Tool, [new TextPart("e")]));

        Assert.Equal(
            """[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},{"role":"model","parts":[{"text":"c"},{"text":"d"}]},{"role":"user","parts":[{"text":"e"}]}]""",
            contents);
    }

    [Fact]
    public void Build_Media_InlineOrFileData()
    {
        var contents = Build(new ChatMessage(ChatRole.User,
        [
            new MediaPart("image/jpeg", "AAA", null),
            new MediaPart(null, "BBB", null),
            new MediaPart(null, "CCC", null) { IsDocument = true },
            new MediaPart("video/mp4", null, "gs://b/v.mp4"),
            new MediaPart(null, null, "https://x.test/a.png"),
        ]),
        new ChatMessage(ChatRole.Assistant, [new MediaPart("image/png", "DDD", null)]));

        Assert.Equal(
            """[{"role":"user","parts":[{"inlineData":{"mimeType":"image/jpeg","data":"AAA"}},{"inlineData":{"mimeType":"image/png","data":"BBB"}},{"inlineData":{"mimeType":"application/pdf","data":"CCC"}},""" +
            """{"fileData":{"mimeType":"video/mp4","fileUri":"gs://b/v.mp4"}},{"fileData":{"fileUri":"https://x.test/a.png"}}]},{"role":"model","parts":[{"inlineData":{"mimeType":"image/png","data":"DDD"}}]}]""",
            contents);
    }

    // Results go first, in the order of the calls, named by the call; a missing one is an error; an orphan is text.
    [Fact]
    public void Build_ResultsPairedWithTheCallsBeforeThem()
    {
        var contents = Build(
            new ChatMessage(ChatRole.User, [new TextPart("go")]),
            new ChatMessage(ChatRole.Assistant, [new TextPart("calling"), new ToolCallPart("c1", "f", """{"a":1}"""), new ToolCallPart("call_gm1", "g", "[1]"), new ToolCallPart("c3", "h", "raw", Custom: true)]),
            new ChatMessage(ChatRole.Tool,
            [
                new TextPart("note"),
                new ToolResultPart("call_gm1", [new TextPart("two"), new MediaPart("image/png", "IMG", null)], false) { Name = "ignored" },
                new ToolResultPart("zz", [new TextPart("orphan")], false),
                new ToolResultPart("c1", [new TextPart("bad")], true),
                new ToolResultPart("c1", [new TextPart("again")], false),
            ]));

        Assert.Equal(
            """[{"role":"user","parts":[{"text":"go"}]},""" +
            """{"role":"model","parts":[{"text":"calling"},{"functionCall":{"id":"c1","name":"f","args":{"a":1}},"thoughtSignature":"skip_thought_signature_validator"},{"functionCall":{"name":"g","args":{"value":[1]}}},{"functionCall":{"id":"c3","name":"h","args":{"input":"raw"}}}]},""" +
            """{"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"error":"bad"}}},{"functionResponse":{"name":"g","response":{"output":"two"}}},""" +
            """{"functionResponse":{"id":"c3","name":"h","response":{"error":"No result was provided for this tool call."}}},""" +
            """{"text":"note"},{"inlineData":{"mimeType":"image/png","data":"IMG"}},{"text":"[Result of tool call zz]\norphan"},{"text":"[Result of tool call c1]\nagain"}]}]""",
            contents);
    }

    [Fact]
    public void Build_ResultWithoutAnyCall_IsText_NameFromTheResultOrTheCall()
    {
        var contents = Build(new ChatMessage(ChatRole.User, [new ToolResultPart("c1", [], false), new TextPart("q")]));

        Assert.Equal("""[{"role":"user","parts":[{"text":"[Result of tool call c1]\n"},{"text":"q"}]}]""", contents);
    }

    [Fact]
    public void Build_CallsWithoutResults_AnsweredWithErrors()
    {
        var contents = Build(
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c1", "f", "")]),
            new ChatMessage(ChatRole.User, [new TextPart("never mind")]));

        Assert.Equal(
            """[{"role":"model","parts":[{"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"}]},""" +
            """{"role":"user","parts":[{"functionResponse":{"id":"c1","name":"f","response":{"error":"No result was provided for this tool call."}}},{"text":"never mind"}]}]""",
            contents);
    }

    // A call's own signature; else the signed reasoning before it. A last turn's calls get no answers (no user turn follows).
    [Fact]
    public void Build_Signatures_BackOnThePartTheyCameOn()
    {
        var contents = Build(
            new ChatMessage(ChatRole.Assistant,
            [
                new ReasoningPart("t1", Own("R1")),
                new TextPart("a"),
                new ToolCallPart("c1", "f", "{}") { Signature = Own("C1") },
                new ToolCallPart("c2", "g", "{}"),
                new ReasoningPart("t2", Own("R2")),
                new ReasoningPart("t3", Opaque.From("X", ProviderKind.Gemini, "other")),
                new ReasoningPart("t4", Opaque.From("Y", ProviderKind.Anthropic, "g")),
                new ReasoningPart("t5", Own(string.Empty)),
                new ReasoningPart("t6", null),
                new ToolCallPart("c3", "h", "{}") { Signature = Opaque.From("Z", ProviderKind.Gemini, "other") },
            ]));

        Assert.Equal(
            """[{"role":"model","parts":[{"text":"a"},{"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"C1"},{"functionCall":{"id":"c2","name":"g","args":{}},"thoughtSignature":"R1"},{"functionCall":{"id":"c3","name":"h","args":{}},"thoughtSignature":"R2"}]}]""",
            contents);
    }

    // A signature no call takes goes on the last part without one (none left: it is dropped).
    [Fact]
    public void Build_UnusedSignatures_GoOnTheLastUnsignedPart()
    {
        var contents = Build(
            new ChatMessage(ChatRole.Assistant, [new TextPart("a"), new ReasoningPart("t1", Own("R1")), new TextPart("b"), new ReasoningPart("t2", Own("R2")), new ReasoningPart("t3", Own("R3"))]),
            new ChatMessage(ChatRole.User, [new TextPart("q")]),
            new ChatMessage(ChatRole.Assistant, [new ReasoningPart("t", Own("R4"))]),
            new ChatMessage(ChatRole.User, [new TextPart("q2")]),
            new ChatMessage(ChatRole.Assistant, [new ReasoningPart("t", Own("R5")), new TextPart("x")]));

        Assert.Equal(
            """[{"role":"model","parts":[{"text":"a","thoughtSignature":"R2"},{"text":"b","thoughtSignature":"R1"}]},{"role":"user","parts":[{"text":"q"},{"text":"q2"}]},{"role":"model","parts":[{"text":"x","thoughtSignature":"R5"}]}]""",
            contents);
    }

    private static Opaque Own(string value) => Opaque.From(value, ProviderKind.Gemini, "g");

    private static string Build(params ChatMessage[] messages)
    {
        var conversation = new Conversation();
        conversation.Messages.AddRange(messages);
        var contents = GeminiContents.Build(conversation, Provider);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var content in contents)
            {
                content.Write(writer);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
