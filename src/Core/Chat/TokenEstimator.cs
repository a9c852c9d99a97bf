using System.Text;
using System.Text.Json;
using Gateway.Json;
using Microsoft.ML.Tokenizers;

namespace Gateway.Chat;

/// <summary>
/// Counts tokens with the o200k_base tokenizer when an upstream reports no usage (SPEC §5 Usage).
/// The tokenizer's data is loaded on first use, off the hot path of requests that get real usage.
/// </summary>
internal sealed class TokenEstimator
{
    // OpenAI's documented chat accounting: about 3 tokens of framing per message and 3 to prime the reply.
    private const int PerMessage = 3;
    private const int ReplyPriming = 3;

    /// <summary>Tokens in <paramref name="text"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Callers hold an estimator; the tokenizer behind it is loaded on first use.")]
    public int Count(string text) => text.Length == 0 ? 0 : O200k.Tokenizer.CountTokens(text);

    /// <summary>Tokens in UTF-8 <paramref name="utf8"/>.</summary>
    public int Count(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? 0 : Count(Encoding.UTF8.GetString(utf8));

    /// <summary>Estimated prompt tokens of a request: an OpenAI body as sent, any other through its neutral conversation.</summary>
    public int CountPrompt(ChatRequest request) =>
        request.Format != WireFormat.OpenAIChat && request.Conversation is { } conversation ? CountPrompt(conversation) : CountPrompt(request.Body);

    /// <summary>Estimated prompt tokens of a neutral conversation: system, messages and tools.</summary>
    public int CountPrompt(Conversation conversation)
    {
        var text = new StringBuilder();
        AppendParts(text, conversation.System);
        foreach (var message in conversation.Messages)
        {
            text.Append(message.Role.Value).Append('\n');
            AppendParts(text, message.Parts);
        }

        foreach (var tool in conversation.Tools)
        {
            text.Append(tool.Name).Append('\n').Append(tool.Description).Append('\n').Append(tool.ParametersJson).Append(tool.NativeJson).Append('\n');
        }

        return Count(text.ToString()) + (conversation.Messages.Count * PerMessage) + ReplyPriming;
    }

    private static void AppendParts(StringBuilder text, IEnumerable<ContentPart> parts)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case TextPart t:
                    text.Append(t.Text).Append('\n');
                    break;
                case ReasoningPart r:
                    text.Append(r.Text).Append('\n');
                    break;
                case ToolCallPart call:
                    text.Append(call.Name).Append('\n').Append(call.Arguments).Append('\n');
                    break;
                case ToolResultPart result:
                    AppendParts(text, result.Parts);
                    break;
            }
        }
    }

    /// <summary>Estimated prompt tokens of an OpenAI chat request body.</summary>
    public int CountPrompt(JsonObjectIndex body)
    {
        var text = new StringBuilder();
        var messages = 0;
        if (body.TryGet("messages", out var member) && member.ValueKind == JsonTokenType.StartArray)
        {
            var reader = new Utf8JsonReader(body.ValueOf(member));
            var wanted = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 1)
                {
                    messages++;
                }
                else if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    wanted = reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("role"u8)
                        || reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("refusal"u8)
                        || reader.ValueTextEquals("reasoning_content"u8);
                }
                else if (reader.TokenType == JsonTokenType.String)
                {
                    if (wanted)
                    {
                        // A string that is not valid Unicode (a lone surrogate escape) is counted as written.
                        text.Append(JsonStrings.TryGetString(ref reader, out var value) ? value : Encoding.UTF8.GetString(reader.ValueSpan)).Append('\n');
                    }

                    wanted = false;
                }
            }
        }

        var tokens = Count(text.ToString()) + (messages * PerMessage) + ReplyPriming;
        foreach (var name in (ReadOnlySpan<string>)["tools", "functions"])
        {
            if (body.TryGet(name, out var tools) && tools.ValueKind == JsonTokenType.StartArray)
            {
                tokens += Count(body.ValueOf(tools));
            }
        }

        return tokens;
    }

    // The tokenizer (and its assembly) is loaded on the first count, not with the estimator: a gateway whose
    // upstreams report usage never loads it.
    private static class O200k
    {
        public static readonly Tokenizer Tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");
    }
}
