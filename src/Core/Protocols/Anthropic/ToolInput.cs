using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols.Anthropic;

/// <summary>
/// Tool arguments as Anthropic's <c>input</c>, which must be an object: <c>""</c> becomes <c>{}</c> (never a
/// string input; an empty input bricks the session on Anthropic), a non-object value is wrapped, and
/// text that is not JSON is kept under <c>"arguments"</c> rather than lost.
/// </summary>
internal static class ToolInput
{
    /// <summary>
    /// A call's arguments as an object for an upstream that takes objects only (Anthropic's <c>input</c>, Gemini's
    /// <c>args</c>): a custom tool's free text under <c>"input"</c>, a function's arguments as <see cref="AsObject"/> makes them.
    /// </summary>
    public static string Of(ToolCallPart call) => call.Custom ? JsonText.Object("input", call.Arguments) : AsObject(call.Arguments);

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
