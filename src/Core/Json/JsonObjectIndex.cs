using System.Text.Json;

namespace Gateway.Json;

/// <summary>
/// The top-level members of a JSON object, found in one validating pass over the bytes. Values are
/// kept as spans of the source so untouched members can be copied byte for byte (unknown fields
/// survive exactly, and the cost of a large <c>messages</c> array is one scan, not a DOM).
/// </summary>
internal sealed class JsonObjectIndex
{
    private readonly List<JsonMember> _members;

    private JsonObjectIndex(ReadOnlyMemory<byte> source, List<JsonMember> members)
    {
        Source = source;
        _members = members;
    }

    /// <summary>The bytes the index points into.</summary>
    public ReadOnlyMemory<byte> Source { get; }

    /// <summary>Members in source order; a repeated name keeps only its last occurrence.</summary>
    public IReadOnlyList<JsonMember> Members => _members;

    /// <summary>Indexes a JSON object; false with a reason when the text is not valid JSON or not an object.</summary>
    public static bool TryCreate(ReadOnlyMemory<byte> json, out JsonObjectIndex? index, out string? error)
    {
        index = null;
        error = null;
        var members = new List<JsonMember>(8);

        // Repeated names are found by a scan while the object is small (a request body has about ten
        // members) and by a set once it is not, so neither case pays for the other.
        HashSet<string>? names = null;

        // The reader checks UTF-8 only in values it decodes; raw-copied values must be valid too.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            error = "the request body is not valid UTF-8";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = JsonLimits.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the request body must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var kind = reader.TokenType;
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                // Linear in the number of members: a repeated name (rare) is the only case that searches.
                if (IsRepeated(members, ref names, name))
                {
                    members.RemoveAt(IndexOf(members, name));
                }

                members.Add(new JsonMember(name, start, end - start, kind));
            }

            // Anything after the closing brace other than whitespace is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            error = JsonLimits.TooDeep(json.Span)
                ? $"the request body nests deeper than {JsonLimits.MaxDepth} levels, the limit"
                : "the request body is not valid JSON: " + SanitizeReaderMessage(ex.Message);
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // A member name that is not valid Unicode (an escaped lone surrogate) surfaces from GetString.
            error = JsonStrings.FindUndecodable(json.Span) is { } field
                ? JsonStrings.Undecodable(field)
                : "the request body is not valid JSON: " + SanitizeReaderMessage(ex.Message);
            return false;
        }

        index = new JsonObjectIndex(json, members);
        return true;
    }

    private const int ScanUpTo = 16;

    private static bool IsRepeated(List<JsonMember> members, ref HashSet<string>? names, string name)
    {
        if (names is null && members.Count < ScanUpTo)
        {
            return IndexOf(members, name) >= 0;
        }

        if (names is null)
        {
            names = new HashSet<string>(members.Count * 2, StringComparer.Ordinal);
            foreach (var member in members)
            {
                names.Add(member.Name);
            }
        }

        return !names.Add(name);
    }

    private static int IndexOf(List<JsonMember> members, string name)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The member named <paramref name="name"/>, if present.</summary>
    public bool TryGet(string name, out JsonMember member)
    {
        foreach (var m in _members)
        {
            if (m.Name == name)
            {
                member = m;
                return true;
            }
        }

        member = default;
        return false;
    }

    /// <summary>
    /// A string member's decoded value; false when the string is not valid Unicode (an escaped lone
    /// surrogate), which the caller reports naming the member.
    /// </summary>
    public bool TryGetString(in JsonMember member, out string? value)
    {
        var reader = new Utf8JsonReader(ValueOf(member));
        reader.Read();
        return JsonStrings.TryGetString(ref reader, out value);
    }

    /// <summary>True when the member is an empty array.</summary>
    public bool IsEmptyArray(in JsonMember member)
    {
        var reader = new Utf8JsonReader(ValueOf(member));
        reader.Read();
        return reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>Raw bytes of a member's value.</summary>
    public ReadOnlySpan<byte> ValueOf(in JsonMember member) => Source.Span.Slice(member.ValueStart, member.ValueLength);

    /// <summary>Raw bytes of a member's value as memory.</summary>
    public ReadOnlyMemory<byte> ValueMemoryOf(in JsonMember member) => Source.Slice(member.ValueStart, member.ValueLength);

    // The reader's messages quote a position ("LineNumber: 0 | BytePositionInLine: 12.") which is useful;
    // they never contain request content beyond a single character, so they are safe to return.
    private static string SanitizeReaderMessage(string message) => message.Length > 300 ? message[..300] : message;
}
