using System.Text;
using System.Text.Json;

namespace Gateway.Json;

/// <summary>
/// JSON strings that are valid JSON text but no valid Unicode: an escaped lone surrogate (<c>"\ud800"</c>).
/// The reader refuses to decode them; where the gateway must decode or rewrite such a string the client
/// is told which one, and everywhere else the bytes travel unchanged.
/// </summary>
internal static class JsonStrings
{
    /// <summary>The decoded string at the reader's token; false when it is not valid Unicode.</summary>
    public static bool TryGetString(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>The message for a string that cannot be decoded, naming where it is.</summary>
    public static string Undecodable(string field) => $"{field}: the string is not valid Unicode (an escaped lone surrogate)";

    /// <summary>
    /// The path (<c>messages[0].content</c>) of the first property name or string in <paramref name="json"/>
    /// that cannot be decoded; null when every one can. Used only to explain a rejection.
    /// </summary>
    public static string? FindUndecodable(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonLimits.MaxDepth });
        var segments = new List<string>();
        var arrays = new List<int>(); // per open container: the next element's index, or -1 for an object
        var key = string.Empty;
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    if (!TryGetString(ref reader, out var name))
                    {
                        return Join(segments, ".(a property name)");
                    }

                    key = "." + name;
                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    arrays.RemoveAt(arrays.Count - 1);
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    Next(arrays);
                    continue;
                }

                var segment = arrays.Count == 0 ? string.Empty : arrays[^1] >= 0 ? $"[{arrays[^1]}]" : key;
                if (token == JsonTokenType.String && reader.ValueIsEscaped && !TryGetString(ref reader, out _))
                {
                    return Join(segments, segment);
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (arrays.Count > 0)
                    {
                        segments.Add(segment);
                    }

                    arrays.Add(token == JsonTokenType.StartArray ? 0 : -1);
                }
                else
                {
                    Next(arrays);
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static void Next(List<int> arrays)
    {
        if (arrays.Count > 0 && arrays[^1] >= 0)
        {
            arrays[^1]++;
        }
    }

    private static string Join(List<string> segments, string last)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            text.Append(segment);
        }

        text.Append(last);
        var path = text.ToString().TrimStart('.');
        return path.Length == 0 ? "the body" : path;
    }
}
