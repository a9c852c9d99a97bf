using System.Text.Json;
using Gateway.Json;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Tool arguments as Anthropic's <c>input</c>, which must be an object: <c>""</c> becomes <c>{}</c> (never a
/// string input; an empty input bricks the session on Anthropic), a non-object value is wrapped, and
/// text that is not JSON is kept under <c>"arguments"</c> rather than lost.
/// </summary>
internal static class ToolInput
{
    public static string AsObject(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return "{}";
        }

        try
        {
            using var document = JsonDocument.Parse(arguments);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? arguments
                : JsonText.Object("value", document.RootElement);
        }
        catch (JsonException)
        {
            return JsonText.Object("arguments", arguments);
        }
    }
}
