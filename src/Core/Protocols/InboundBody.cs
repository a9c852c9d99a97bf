using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;

namespace Gateway.Protocols;

/// <summary>The start every inbound parser shares: the body indexed as one JSON object, and its model id read.</summary>
internal static class InboundBody
{
    /// <summary>
    /// Indexes <paramref name="body"/> and reads its <c>model</c>: a JSON error is <c>invalid_json</c>, a model
    /// that is missing, not a string or blank is <c>invalid_request</c> with <paramref name="modelRequired"/>
    /// (each format words it its own way), and one that is not valid Unicode is <c>invalid_json</c> naming it.
    /// </summary>
    public static bool TryOpen(
        ReadOnlyMemory<byte> body,
        string modelRequired,
        [NotNullWhen(true)] out JsonObjectIndex? index,
        [NotNullWhen(true)] out string? modelId,
        [NotNullWhen(false)] out ChatRequestError? error)
    {
        modelId = null;
        if (!JsonObjectIndex.TryCreate(body, out index, out var jsonError))
        {
            error = new ChatRequestError("invalid_json", jsonError!, null);
            return false;
        }

        if (!index!.TryGet("model", out var model) || model.ValueKind != JsonTokenType.String)
        {
            error = new ChatRequestError("invalid_request", modelRequired, "model");
            return false;
        }

        if (!index.TryGetString(model, out modelId))
        {
            error = new ChatRequestError("invalid_json", JsonStrings.Undecodable("model"), "model");
            return false;
        }

        if (string.IsNullOrWhiteSpace(modelId))
        {
            error = new ChatRequestError("invalid_request", modelRequired, "model");
            return false;
        }

        error = null;
        return true;
    }
}
