using System.Text.Json;

namespace Gateway.Json;

/// <summary>Shape checks on raw JSON bytes, without a DOM: the inbound parsers' checks of one member's value, and the byte paths' check that an upstream event is one whole object.</summary>
internal static class JsonShapes
{
    /// <summary>True when <paramref name="json"/> is a number that is a positive 32-bit integer.</summary>
    public static bool IsPositiveInteger(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value > 0;
    }

    /// <summary>
    /// The top-level string member <paramref name="name"/> of <paramref name="json"/>, which must be exactly one
    /// whole JSON object: anything else (cut off, two values, not an object) throws <see cref="JsonException"/>.
    /// Null when the member is absent or not a string; of repeated members the last counts, as clients read it.
    /// For the pass-through codecs, which forward an upstream's events and bodies as they are only when they
    /// are JSON a client can parse.
    /// </summary>
    public static string? StringMemberOfWholeObject(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("not an object");
        }

        // One pass over every token: the reader throws on a cut-off object and on a second value.
        string? value = null;
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name))
            {
                reader.Read();
                value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
        }

        return value;
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
