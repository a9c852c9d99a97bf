using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Json;

/// <summary>
/// Writes a JSON object from a <see cref="JsonObjectIndex"/>: members are copied as raw bytes unless
/// replaced or removed, and new members are appended. Used for request bodies and stream chunks
/// where only a few top-level fields change.
/// </summary>
internal sealed class JsonObjectRewriter
{
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly JsonObjectIndex _index;
    private readonly Dictionary<string, Action<Utf8JsonWriter>?> _changes = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public JsonObjectRewriter(JsonObjectIndex index)
    {
        _index = index;
    }

    /// <summary>Replaces (or appends) a member whose value the callback writes.</summary>
    public JsonObjectRewriter Set(string name, Action<Utf8JsonWriter> writeValue)
    {
        if (!_changes.ContainsKey(name))
        {
            _order.Add(name);
        }

        _changes[name] = writeValue;
        return this;
    }

    /// <summary>Replaces (or appends) a member with raw JSON.</summary>
    public JsonObjectRewriter SetRaw(string name, ReadOnlyMemory<byte> rawJson) =>
        Set(name, w => w.WriteRawValue(rawJson.Span, skipInputValidation: true));

    /// <summary>Removes a member if present.</summary>
    public JsonObjectRewriter Remove(string name)
    {
        if (!_changes.ContainsKey(name))
        {
            _order.Add(name);
        }

        _changes[name] = null;
        return this;
    }

    /// <summary>True when no change was requested.</summary>
    public bool IsUnchanged => _changes.Count == 0;

    /// <summary>Writes the resulting object.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        foreach (var member in _index.Members)
        {
            if (_changes.TryGetValue(member.Name, out var change))
            {
                if (change is not null)
                {
                    writer.WritePropertyName(member.Name);
                    change(writer);
                }

                continue;
            }

            writer.WritePropertyName(member.Name);
            writer.WriteRawValue(_index.ValueOf(member), skipInputValidation: true);
        }

        foreach (var name in _order)
        {
            if (_changes[name] is { } append && !_index.TryGet(name, out _))
            {
                writer.WritePropertyName(name);
                append(writer);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes the resulting object to new memory.</summary>
    public ReadOnlyMemory<byte> ToMemory()
    {
        var buffer = new ArrayBufferWriter<byte>(_index.Source.Length + 64);
        WriteTo(buffer);
        return buffer.WrittenMemory;
    }
}
