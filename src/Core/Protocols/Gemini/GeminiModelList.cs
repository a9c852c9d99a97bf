using System.Text.Json;
using Gateway.Routing;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// Gemini's model list (<c>GET {BaseUrl}/models</c>): <c>{"models":[{"name":"models/…","supportedGenerationMethods":[…]}],
/// "nextPageToken"}</c>, paged with <c>pageToken</c>. Only models that serve <c>generateContent</c> are kept
/// (embedding and other models are not chat models), with the <c>models/</c> prefix stripped from their ids.
/// </summary>
internal static class GeminiModelList
{
    /// <summary>The models of one page and the next page's token (null on the last page); null models when the body is no list.</summary>
    public static (List<UpstreamModel>? Models, string? NextPage) Parse(ReadOnlySpan<byte> body, string providerId)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        var next = String(root, "nextPageToken") is { Length: > 0 } token ? token : null;
        if (!root.TryGetProperty("models", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            // An empty last page may leave the list out.
            return (root.EnumerateObject().Any() ? null : [], null);
        }

        var models = new List<UpstreamModel>();
        foreach (var item in list.EnumerateArray())
        {
            if (String(item, "name") is not { Length: > 0 } name || !ServesGenerateContent(item))
            {
                continue;
            }

            var id = name.StartsWith("models/", StringComparison.Ordinal) ? name["models/".Length..] : name;
            if (id.Length > 0)
            {
                models.Add(new UpstreamModel(id, providerId));
            }
        }

        return (models, next);
    }

    /// <summary>The list's address for the page after <paramref name="pageToken"/>.</summary>
    public static Uri PageUri(Uri models, string? pageToken)
    {
        var separator = string.IsNullOrEmpty(models.Query) ? "?" : "&";
        return new Uri(models.AbsoluteUri + separator + "pageSize=1000" + (pageToken is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken)));
    }

    private static bool ServesGenerateContent(JsonElement item)
    {
        if (!item.TryGetProperty("supportedGenerationMethods", out var methods) || methods.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var method in methods.EnumerateArray())
        {
            if (method.ValueKind == JsonValueKind.String && method.ValueEquals("generateContent"))
            {
                return true;
            }
        }

        return false;
    }
}
