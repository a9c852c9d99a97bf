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

    // One writer per thread, taken out while in use (so a nested rewrite gets its own): a request body was
    // a new Utf8JsonWriter per request on the pass-through path.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly JsonObjectIndex _index;

    // A handful of changes at most (model, stream flags, a transform or two), in the order first asked for:
    // a list searched by name costs less than the dictionary and order list it replaces.
    private readonly List<Change> _changes = new(4);

    public JsonObjectRewriter(JsonObjectIndex index)
    {
        _index = index;
    }

    /// <summary>Replaces (or appends) a member whose value the callback writes.</summary>
    public JsonObjectRewriter Set(string name, Action<Utf8JsonWriter> writeValue) => Put(new Change(name, ChangeKind.Callback, writeValue, null, default));

    /// <summary>Replaces (or appends) a member with a string value.</summary>
    public JsonObjectRewriter SetString(string name, string value) => Put(new Change(name, ChangeKind.String, null, value, default));

    /// <summary>Replaces (or appends) a member with <c>true</c>.</summary>
    public JsonObjectRewriter SetTrue(string name) => Put(new Change(name, ChangeKind.True, null, null, default));

    /// <summary>Replaces (or appends) a member with raw JSON.</summary>
    public JsonObjectRewriter SetRaw(string name, ReadOnlyMemory<byte> rawJson) => Put(new Change(name, ChangeKind.Raw, null, null, rawJson));

    /// <summary>Removes a member if present.</summary>
    public JsonObjectRewriter Remove(string name) => Put(new Change(name, ChangeKind.Remove, null, null, default));

    /// <summary>True when no change was requested.</summary>
    public bool IsUnchanged => _changes.Count == 0;

    /// <summary>Writes the resulting object.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        t_writer = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, WriterOptions);
        }
        else
        {
            writer.Reset(output);
        }

        try
        {
            Write(writer);
            writer.Flush();
        }
        finally
        {
            // Let go of the output before the writer waits for the thread's next rewrite.
            writer.Reset();
            t_writer = writer;
        }
    }

    /// <summary>Writes the resulting object to new memory.</summary>
    public ReadOnlyMemory<byte> ToMemory()
    {
        var buffer = new ArrayBufferWriter<byte>(_index.Source.Length + 64);
        WriteTo(buffer);
        return buffer.WrittenMemory;
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var member in _index.Members)
        {
            if (IndexOf(member.Name) is var at and >= 0)
            {
                var change = _changes[at];
                if (change.Kind != ChangeKind.Remove)
                {
                    writer.WritePropertyName(member.Name);
                    change.WriteValue(writer);
                }

                continue;
            }

            writer.WritePropertyName(member.Name);
            writer.WriteRawValue(_index.ValueOf(member), skipInputValidation: true);
        }

        foreach (var change in _changes)
        {
            if (change.Kind != ChangeKind.Remove && !_index.TryGet(change.Name, out _))
            {
                writer.WritePropertyName(change.Name);
                change.WriteValue(writer);
            }
        }

        writer.WriteEndObject();
    }

    private JsonObjectRewriter Put(Change change)
    {
        // A name changed twice keeps its first place and its last value.
        if (IndexOf(change.Name) is var at and >= 0)
        {
            _changes[at] = change;
        }
        else
        {
            _changes.Add(change);
        }

        return this;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _changes.Count; i++)
        {
            if (string.Equals(_changes[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private enum ChangeKind
    {
        Remove,
        Callback,
        String,
        True,
        Raw,
    }

    private readonly record struct Change(string Name, ChangeKind Kind, Action<Utf8JsonWriter>? Callback, string? Text, ReadOnlyMemory<byte> Raw)
    {
        public void WriteValue(Utf8JsonWriter writer)
        {
            switch (Kind)
            {
                case ChangeKind.Callback:
                    Callback!(writer);
                    break;
                case ChangeKind.String:
                    writer.WriteStringValue(Text);
                    break;
                case ChangeKind.True:
                    writer.WriteBooleanValue(true);
                    break;
                case ChangeKind.Raw:
                    writer.WriteRawValue(Raw.Span, skipInputValidation: true);
                    break;
            }
        }
    }
}
