using System.Text.Json;
using System.Text.Unicode;
using Gateway.Json;

namespace Gateway.Admin;

/// <summary>
/// An admin route's JSON body, parsed whole. Every name and string in it is decoded afterwards, so what
/// cannot be decoded is refused here, naming where it is when it can: bytes that are not UTF-8, nesting
/// beyond the request path's limit, an escaped lone surrogate.
/// </summary>
internal static class AdminBody
{
    /// <summary>The parsed body (the caller disposes it), or null with the problem and, when known, the field.</summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> body, out string? param, out string? problem)
    {
        param = null;
        problem = null;

        // The document checks UTF-8 only in strings it decodes, and only when it decodes them.
        if (!Utf8.IsValid(body.Span))
        {
            problem = "The body is not valid UTF-8.";
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, JsonLimits.Document);
        }
        catch (JsonException ex)
        {
            problem = "The body is not valid JSON: " + ex.Message;
            return null;
        }

        if (JsonStrings.FindUndecodable(body.Span) is { } undecodable)
        {
            document.Dispose();
            (param, problem) = (undecodable, "The string is not valid Unicode (an escaped lone surrogate).");
            return null;
        }

        return document;
    }
}
