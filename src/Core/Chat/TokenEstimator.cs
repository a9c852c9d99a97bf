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

    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"));

    /// <summary>Tokens in <paramref name="text"/>.</summary>
    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.Value.CountTokens(text);

    /// <summary>Tokens in UTF-8 <paramref name="utf8"/>.</summary>
    public int Count(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? 0 : Count(Encoding.UTF8.GetString(utf8));

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
                        text.Append(reader.GetString()).Append('\n');
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
}
