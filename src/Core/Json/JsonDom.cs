using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Json;

/// <summary>
/// A mutable DOM of client JSON for the few rewrites that need one. <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>
/// fails on a repeated property name (only when the object is first touched, far from the parse); here the
/// last occurrence wins, as the top-level index and <see cref="JsonDocument"/> decide.
/// </summary>
internal static class JsonDom
{
    /// <summary>The node for <paramref name="json"/> (null for JSON null); duplicates resolved, last wins.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonLimits.MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        return From(document.RootElement);
    }

    /// <summary>Parses an array member; null when the value is not an array.</summary>
    public static JsonArray? ParseArray(ReadOnlySpan<byte> json) => Parse(json) as JsonArray;

    private static JsonNode? From(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    // The indexer replaces an earlier occurrence in place: the last value wins.
                    obj[property.Name] = From(property.Value);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(From(item));
                }

                return array;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element.Clone());
        }
    }
}
