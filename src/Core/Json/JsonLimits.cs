using System.Text.Json;

namespace Gateway.Json;

/// <summary>
/// One nesting limit for every parser on the request path. The index checks it first, on the whole body;
/// every later parser sees a part of that body, so it never meets deeper input. It is the default of
/// System.Text.Json's readers, documents and nodes, so a parser that forgets its options still agrees.
/// </summary>
internal static class JsonLimits
{
    public const int MaxDepth = 64;

    public static readonly JsonDocumentOptions Document = new() { MaxDepth = MaxDepth };

    /// <summary>True when <paramref name="json"/> nests deeper than <see cref="MaxDepth"/> (checked only to explain a rejection).</summary>
    public static bool TooDeep(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue / 2 });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= MaxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
