using System.Buffers;
using System.Text.Json;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>
/// What one OpenAI chat chunk contains, read with a single <see cref="Utf8JsonReader"/> pass so the
/// common chunk (a content delta that needs no change) is forwarded byte for byte without a DOM.
/// Text (content, reasoning, refusal, tool names and arguments) is appended, unescaped, to a buffer
/// used only if the upstream never reports usage.
/// </summary>
internal sealed class ChunkScan
{
    private readonly List<(int Choice, string? Finish)> _choices = [];

    /// <summary>Choices in this chunk with their finish_reason (null while unfinished).</summary>
    public IReadOnlyList<(int Choice, string? Finish)> Choices => _choices;

    public bool HasError { get; private set; }

    public bool HasUsageKey { get; private set; }

    public bool HasUsageObject { get; private set; }

    /// <summary>A delta with non-empty content, reasoning, refusal, tool or function call, or a finish_reason.</summary>
    public bool HasContent { get; private set; }

    public bool HasToolCalls { get; private set; }

    public bool HasFinish { get; private set; }

    /// <summary>Some content text contains '&lt;' (a thinking tag may start here).</summary>
    public bool ContentHasAngle { get; private set; }

    /// <summary>Raw JSON of the <c>usage</c> object when present.</summary>
    public byte[]? Usage { get; private set; }

    /// <summary>Raw JSON of <c>id</c>, <c>created</c>, <c>model</c>, <c>system_fingerprint</c> when present.</summary>
    public byte[]? Id { get; private set; }

    public byte[]? Created { get; private set; }

    public byte[]? Model { get; private set; }

    public byte[]? SystemFingerprint { get; private set; }

    /// <summary>Scans <paramref name="json"/>; false when it is not a JSON object.</summary>
    public bool TryScan(ReadOnlySpan<byte> json, ArrayBufferWriter<byte> text, bool captureMeta)
    {
        Reset();
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        ScanChoices(ref reader, text);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    HasUsageKey = true;
                    reader.Read();
                    HasUsageObject = reader.TokenType == JsonTokenType.StartObject;
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (HasUsageObject)
                    {
                        Usage = json[start..(int)reader.BytesConsumed].ToArray();
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    HasError = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.String;
                    reader.Skip();
                }
                else if (captureMeta && reader.ValueTextEquals("id"u8))
                {
                    Id = ReadRaw(ref reader, json);
                }
                else if (captureMeta && reader.ValueTextEquals("created"u8))
                {
                    Created = ReadRaw(ref reader, json);
                }
                else if (captureMeta && reader.ValueTextEquals("model"u8))
                {
                    Model = ReadRaw(ref reader, json);
                }
                else if (captureMeta && reader.ValueTextEquals("system_fingerprint"u8))
                {
                    SystemFingerprint = ReadRaw(ref reader, json);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Nothing may follow the object (the DOM parser used for rewrites would refuse it).
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void ScanChoices(ref Utf8JsonReader reader, ArrayBufferWriter<byte> text)
    {
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var choice = position++;
            string? finish = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index))
                    {
                        choice = index;
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                    {
                        finish = reader.GetString();
                        HasFinish = true;
                        HasContent = true;
                    }
                }
                else if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ScanDelta(ref reader, text);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            _choices.Add((choice, finish));
        }
    }

    private void ScanDelta(ref Utf8JsonReader reader, ArrayBufferWriter<byte> text)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = reader.ValueTextEquals("content"u8);
            if (isContent || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8)
                || reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    HasContent = true;
                    var start = text.WrittenCount;
                    AppendString(ref reader, text);
                    if (isContent)
                    {
                        if (text.WrittenSpan[start..].Contains((byte)'<'))
                        {
                            ContentHasAngle = true;
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
            {
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    HasToolCalls = true;
                    HasContent = true;
                    AppendToolText(ref reader, text);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    // Collects every string under a tool_calls/function_call value whose property is name or arguments.
    private static void AppendToolText(ref Utf8JsonReader reader, ArrayBufferWriter<byte> text)
    {
        var depth = reader.CurrentDepth;
        var wanted = false;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                wanted = reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("input"u8);
            }
            else if (wanted && reader.TokenType == JsonTokenType.String)
            {
                AppendString(ref reader, text);
                wanted = false;
            }
        }
    }

    private static void AppendString(ref Utf8JsonReader reader, ArrayBufferWriter<byte> text)
    {
        // The reader reads one span, never a sequence; unescaping only shortens a string.
        var span = text.GetSpan(reader.ValueSpan.Length);
        var written = reader.CopyString(span);
        text.Advance(written);
    }

    private static byte[] ReadRaw(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return json[start..(int)reader.BytesConsumed].ToArray();
    }

    private void Reset()
    {
        _choices.Clear();
        HasError = HasUsageKey = HasUsageObject = HasContent = HasToolCalls = HasFinish = ContentHasAngle = false;
        Id = Created = Model = SystemFingerprint = Usage = null;
    }
}
