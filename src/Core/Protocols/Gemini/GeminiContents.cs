using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Gateway.Providers;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// The conversation as Gemini <c>contents</c>: roles <c>user</c> and <c>model</c>, consecutive turns of one
/// role merged, tool calls as <c>functionCall</c> parts and results as <c>functionResponse</c> parts in the
/// user turn right after them, in the order of the calls (a missing result answered with an error, a result
/// with no call before it kept as text). <c>thoughtSignature</c>s go back on the part they came on: a call's
/// own signature (OpenAI Chat's <c>extra_content</c>), or a signed reasoning part's (Anthropic thinking
/// blocks, Responses reasoning items) on the next call of the turn, else on the part before it. A step whose
/// first call has no signature of this provider (history from another model) gets Gemini's documented
/// skip-validator sentinel instead, so the request is not refused.
/// </summary>
internal static class GeminiContents
{
    /// <summary>Gemini's documented <c>thoughtSignature</c> for calls the model did not make (another model's history).</summary>
    public const string SkipSignature = "skip_thought_signature_validator";

    private const string MissingResult = "No result was provided for this tool call.";

    public static List<Content> Build(Conversation conversation, Provider provider)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in conversation.Messages)
        {
            foreach (var part in message.Parts)
            {
                if (part is ToolCallPart call)
                {
                    names.TryAdd(call.Id, call.Name);
                }
            }
        }

        var contents = new List<Content>();
        foreach (var message in conversation.Messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var model = message.Role == ChatRole.Assistant;
            var parts = model ? ModelParts(message.Parts, provider) : UserParts(message.Parts, names);
            if (parts.Count == 0)
            {
                continue;
            }

            var role = model ? "model" : "user";
            if (contents.Count > 0 && contents[^1].Role == role)
            {
                contents[^1].Parts.AddRange(parts);
            }
            else
            {
                contents.Add(new Content(role, parts));
            }
        }

        PairResults(contents);
        foreach (var content in contents)
        {
            if (content.Role == "model" && content.Parts.Find(p => p.Call is not null) is { Signature: null } first)
            {
                first.Signature = SkipSignature;
            }
        }

        return contents;
    }

    private static List<Part> ModelParts(List<ContentPart> source, Provider provider)
    {
        var parts = new List<Part>(source.Count);
        string? pending = null;
        foreach (var part in source)
        {
            switch (part)
            {
                case ReasoningPart { Signature: { } signature } when Own(signature, provider):
                    if (pending is not null)
                    {
                        AttachToLast(parts, pending);
                    }

                    pending = signature.Value;
                    break;
                case TextPart text when !string.IsNullOrWhiteSpace(text.Text):
                    parts.Add(new Part { Text = text.Text });
                    break;
                case ToolCallPart call:
                    var signed = call.Signature is { } own && Own(own, provider) ? own.Value : null;
                    if (signed is null && pending is not null)
                    {
                        signed = pending;
                        pending = null;
                    }

                    parts.Add(new Part { Call = call, Signature = signed });
                    break;
                case MediaPart media:
                    parts.Add(new Part { Media = media });
                    break;
            }
        }

        if (pending is not null)
        {
            AttachToLast(parts, pending);
        }

        return parts;
    }

    // A signature that no call took goes back on the part before it (Gemini signs a plain answer's last part).
    private static void AttachToLast(List<Part> parts, string signature)
    {
        if (parts.FindLast(p => p.Signature is null) is { } last)
        {
            last.Signature = signature;
        }
    }

    private static bool Own(Opaque signature, Provider provider) =>
        signature.Value.Length > 0 && signature.BelongsTo(ProviderKind.Gemini, provider.Id);

    private static List<Part> UserParts(List<ContentPart> source, Dictionary<string, string> names)
    {
        var parts = new List<Part>(source.Count);
        foreach (var part in source)
        {
            switch (part)
            {
                case TextPart text when !string.IsNullOrWhiteSpace(text.Text):
                    parts.Add(new Part { Text = text.Text });
                    break;
                case MediaPart media:
                    parts.Add(new Part { Media = media });
                    break;
                case ToolResultPart result:
                    parts.Add(new Part { Result = result, ResultName = result.Name ?? names.GetValueOrDefault(result.CallId) });
                    foreach (var inner in result.Parts)
                    {
                        if (inner is MediaPart media)
                        {
                            // Gemini's function responses carry JSON; images a tool returned go beside it.
                            parts.Add(new Part { Media = media });
                        }
                    }

                    break;
            }
        }

        return parts;
    }

    // Function responses first in their user turn, in the order of the calls they answer; a call with no
    // result gets an error response, a result with no call before it becomes text (Gemini refuses both).
    private static void PairResults(List<Content> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            if (content.Role != "user")
            {
                continue;
            }

            var calls = i > 0 ? contents[i - 1].Parts.Where(p => p.Call is not null).Select(p => p.Call!).ToList() : [];
            if (calls.Count == 0 && !content.Parts.Exists(p => p.Result is not null))
            {
                continue;
            }

            var ordered = new List<Part>(content.Parts.Count + calls.Count);
            var used = new HashSet<Part>(ReferenceEqualityComparer.Instance);
            foreach (var call in calls)
            {
                var result = content.Parts.Find(p => p.Result is { } r && r.CallId == call.Id && !used.Contains(p));
                if (result is not null)
                {
                    used.Add(result);
                    ordered.Add(result with { ResultName = call.Name });
                }
                else
                {
                    ordered.Add(new Part { Result = new ToolResultPart(call.Id, [new TextPart(MissingResult)], IsError: true), ResultName = call.Name });
                }
            }

            foreach (var part in content.Parts)
            {
                if (part.Result is not { } result)
                {
                    ordered.Add(part);
                }
                else if (!used.Contains(part))
                {
                    ordered.Add(new Part { Text = $"[Result of tool call {result.CallId}]\n" + (OpenAIChat.OpenAIChatRequestWriter.JoinText(result.Parts) ?? string.Empty) });
                }
            }

            content.Parts.Clear();
            content.Parts.AddRange(ordered);
        }
    }

    /// <summary>One Gemini content: a role and its parts.</summary>
    internal sealed record Content(string Role, List<Part> Parts)
    {
        public void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteString("role", Role);
            writer.WriteStartArray("parts");
            foreach (var part in Parts)
            {
                part.Write(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    /// <summary>One Gemini part: text, media, a function call or a function response, and its signature.</summary>
    internal sealed record Part
    {
        public string? Text { get; init; }

        public MediaPart? Media { get; init; }

        public ToolCallPart? Call { get; init; }

        public ToolResultPart? Result { get; init; }

        public string? ResultName { get; init; }

        public string? Signature { get; set; }

        public void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            if (Call is { } call)
            {
                writer.WriteStartObject("functionCall");
                if (GeminiIds.IsUpstreamId(call.Id))
                {
                    writer.WriteString("id", call.Id);
                }

                writer.WriteString("name", call.Name);
                writer.WritePropertyName("args");
                writer.WriteRawValue(ToolInput.Of(call), skipInputValidation: true);
                writer.WriteEndObject();
            }
            else if (Result is { } result)
            {
                writer.WriteStartObject("functionResponse");
                if (GeminiIds.IsUpstreamId(result.CallId))
                {
                    writer.WriteString("id", result.CallId);
                }

                writer.WriteString("name", ResultName ?? string.Empty);
                writer.WriteStartObject("response");
                writer.WriteString(result.IsError ? "error" : "output", OpenAIChat.OpenAIChatRequestWriter.JoinText(result.Parts) ?? string.Empty);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else if (Media is { } media)
            {
                if (media.Data is not null)
                {
                    writer.WriteStartObject("inlineData");
                    writer.WriteString("mimeType", media.MediaType ?? (media.IsDocument ? "application/pdf" : "image/png"));
                    writer.WriteString("data", media.Data);
                }
                else
                {
                    writer.WriteStartObject("fileData");
                    if (media.MediaType is { } type)
                    {
                        writer.WriteString("mimeType", type);
                    }

                    writer.WriteString("fileUri", media.Url);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("text", Text ?? string.Empty);
            }

            if (Signature is not null)
            {
                writer.WriteString("thoughtSignature", Signature);
            }

            writer.WriteEndObject();
        }
    }
}
