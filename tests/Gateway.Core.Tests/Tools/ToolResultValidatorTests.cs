using Gateway.Chat;
using Gateway.Tools;
using Xunit;

namespace Gateway.Core.Tests.Tools;

/// <summary>Trailing tool results checked against the calls they answer, each error code once.</summary>
public sealed class ToolResultValidatorTests
{
    private static Conversation With(params ChatMessage[] messages)
    {
        var conversation = new Conversation();
        conversation.Messages.AddRange(messages);
        return conversation;
    }

    private static ChatMessage User(string text) => new(ChatRole.User, [new TextPart(text)]);

    private static ChatMessage Calls(params (string Id, string Name)[] calls) =>
        new(ChatRole.Assistant, [.. calls.Select(c => (ContentPart)new ToolCallPart(c.Id, c.Name, "{}"))]);

    private static ChatMessage Result(string id, string? name = null) =>
        new(ChatRole.Tool, [new ToolResultPart(id, [new TextPart("ok")], IsError: false) { Name = name }]);

    [Fact]
    public void ResultsThatAnswerTheLastCalls_AreFine()
    {
        Assert.Null(ToolResultValidator.Validate(With(User("hi"), Calls(("call_a", "ls"), ("call_b", "cat")), Result("call_b", "cat"), Result("call_a"))));
    }

    [Fact]
    public void NoResults_AreFine() => Assert.Null(ToolResultValidator.Validate(With(User("hi"), Calls(("call_a", "ls")))));

    [Fact]
    public void ResultsAnsweringAnEarlierTurn_AreNotChecked() =>
        Assert.Null(ToolResultValidator.Validate(With(User("hi"), Calls(("call_a", "ls")), Result("call_a"), new ChatMessage(ChatRole.Assistant, [new TextPart("done")]), User("thanks"))));

    [Theory]
    [InlineData("missing_assistant_tool_calls", "result after a user message")]
    [InlineData("missing_assistant_tool_calls", "result after an answer without calls")]
    [InlineData("missing_tool_call_id", "result without an id")]
    [InlineData("tool_call_id_mismatch", "result for an unknown call")]
    [InlineData("duplicate_tool_call_id", "two results for one call")]
    [InlineData("tool_name_mismatch", "result naming another tool")]
    public void EachProblem_HasItsCode(string code, string scenario)
    {
        ChatMessage[] messages = scenario switch
        {
            "result after a user message" => [User("hi"), Result("call_a")],
            "result after an answer without calls" => [User("hi"), new ChatMessage(ChatRole.Assistant, [new TextPart("no calls")]), Result("call_a")],
            "result without an id" => [User("hi"), Calls(("call_a", "ls")), Result("")],
            "result for an unknown call" => [User("hi"), Calls(("call_a", "ls")), Result("call_z")],
            "two results for one call" => [User("hi"), Calls(("call_a", "ls")), Result("call_a"), Result("call_a")],
            _ => [User("hi"), Calls(("call_a", "ls")), Result("call_a", "rm")],
        };

        var error = ToolResultValidator.Validate(With(messages));

        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal("messages", error.Param);
        Assert.StartsWith(code + ": ", error.Message, StringComparison.Ordinal);
    }
}
