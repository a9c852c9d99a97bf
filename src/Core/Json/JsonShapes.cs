using System.Text.Json;

namespace Gateway.Json;

/// <summary>Shape checks the inbound parsers share, on the raw bytes of one member's value.</summary>
internal static class JsonShapes
{
    /// <summary>True when <paramref name="json"/> is a number that is a positive 32-bit integer.</summary>
    public static bool IsPositiveInteger(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value > 0;
    }

    /// <summary>True when every element of the array <paramref name="arrayJson"/> is an object with a string <c>type</c>.</summary>
    public static bool AllTyped(ReadOnlySpan<byte> arrayJson)
    {
        var reader = new Utf8JsonReader(arrayJson);
        reader.Read();
        return AllTyped(ref reader);
    }

    /// <summary>
    /// True when every element is an object with a string <c>type</c> (Responses tools and input content,
    /// Anthropic content and system blocks). The reader is on StartArray and is left on its EndArray.
    /// </summary>
    public static bool AllTyped(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var typed = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                typed |= isType && reader.TokenType == JsonTokenType.String;
                reader.Skip();
            }

            if (!typed)
            {
                return false;
            }
        }

        return true;
    }
}
