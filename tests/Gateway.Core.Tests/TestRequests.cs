using System.Text;
using Gateway.Chat;
using Gateway.Json;
using Xunit;

namespace Gateway.Tests;

/// <summary>Chat requests for the readers', writers' and codecs' tests: a body indexed without the parsers' checks.</summary>
internal static class TestRequests
{
    /// <summary>
    /// A request of <paramref name="format"/> over <paramref name="body"/>: one choice, no usage asked for, no
    /// legacy functions; everything else as given.
    /// </summary>
    public static ChatRequest Of(
        WireFormat format = WireFormat.OpenAIChat,
        string body = "{}",
        Conversation? conversation = null,
        string model = "m",
        bool stream = false,
        bool hasTools = false,
        int? thinkingBudget = null,
        bool compaction = false)
    {
        Assert.True(JsonObjectIndex.TryCreate(Encoding.UTF8.GetBytes(body), out var index, out var error), error);
        return new ChatRequest
        {
            Format = format,
            Body = index!,
            Conversation = conversation,
            Model = model,
            Stream = stream,
            ClientWantsUsage = false,
            ChoiceCount = 1,
            HasTools = hasTools,
            LegacyFunctions = false,
            ThinkingBudget = thinkingBudget,
            Compaction = compaction,
        };
    }
}
