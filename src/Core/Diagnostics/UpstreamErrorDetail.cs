using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Diagnostics;

/// <summary>
/// What a failed upstream said about itself, for the log line (SPEC §5 Observability): its error
/// <c>type</c> and <c>code</c> and the first <see cref="MaxMessage"/> characters of its message, with
/// anything that looks like a credential redacted — so an operator can tell a bad key from a billing
/// problem without the log carrying the key. Reads OpenAI (<c>{"error":{…}}</c>), Anthropic
/// (<c>{"type":"error","error":{…}}</c>) and flat (<c>{"message":…,"code":…}</c>) shapes.
/// </summary>
internal sealed partial record UpstreamErrorDetail(string? Type, string? Code, string? Message)
{
    public const int MaxMessage = 200;

    public static UpstreamErrorDetail? Read(ReadOnlySpan<byte> body)
    {
        string? type = null, code = null, message = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            ReadObject(ref reader, ref type, ref code, ref message, nested: false);
        }
        catch (JsonException)
        {
            // A body cut at the read limit or not JSON: keep what was read before the break.
        }

        if (type is null && code is null && message is null)
        {
            return null;
        }

        return new UpstreamErrorDetail(Clean(type, 64), Clean(code, 64), Clean(message, MaxMessage));
    }

    /// <summary>Masks credential-looking runs (<c>sk-…</c>, <c>Bearer …</c>, long opaque tokens) in <paramref name="text"/>.</summary>
    public static string Redact(string text) => SecretPattern().Replace(text, static m => m.Value.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) ? "Bearer ***" : "***");

    private static void ReadObject(ref Utf8JsonReader reader, ref string? type, ref string? code, ref string? message, bool nested)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!nested && reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    // The inner object's fields win over the envelope's ("type":"error" in Anthropic's).
                    string? innerType = null, innerCode = null, innerMessage = null;
                    ReadObject(ref reader, ref innerType, ref innerCode, ref innerMessage, nested: true);
                    type = innerType ?? type;
                    code = innerCode ?? code;
                    message = innerMessage ?? message;
                }
                else if (reader.TokenType == JsonTokenType.String)
                {
                    message ??= reader.GetString();
                }
                else
                {
                    reader.Skip();
                }

                continue;
            }

            var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("code"u8) ? 2 : reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("msg"u8) ? 3
                : reader.ValueTextEquals("status"u8) ? 4 : 0;
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                _ => null,
            };
            if (value is null)
            {
                reader.Skip();
            }

            switch (field)
            {
                case 1:
                    type ??= value;
                    break;
                case 2:
                    code ??= value;
                    break;
                case 3:
                    message ??= value;
                    break;
                case 4 when reader.TokenType == JsonTokenType.String && nested:
                    // Gemini's envelope has no type: its status name (RESOURCE_EXHAUSTED, PERMISSION_DENIED) is the nearest thing.
                    type ??= value;
                    break;
            }
        }
    }

    private static string? Clean(string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var redacted = Redact(value.ReplaceLineEndings(" "));
        return redacted.Length <= max ? redacted : redacted[..max];
    }

    // Key prefixes of the common providers, bearer tokens, and any run of 32+ key-like characters.
    [GeneratedRegex(@"Bearer\s+[^\s""',]+|\b(?:sk|pk|rk|ak|key|AIza)[-_][A-Za-z0-9_\-]{6,}|\bAIza[A-Za-z0-9_\-]{20,}|[A-Za-z0-9_\-+/=]{32,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
