using System.Text.Json;

namespace Gateway.Json;

/// <summary>One nesting limit for every parser on the request path (the index checks it first).</summary>
internal static class JsonLimits
{
    public const int MaxDepth = 256;

    public static readonly JsonDocumentOptions Document = new() { MaxDepth = MaxDepth };
}
