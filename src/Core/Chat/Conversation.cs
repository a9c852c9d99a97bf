namespace Gateway.Chat;

/// <summary>
/// The neutral form of a chat request, built from the client's format only when the target speaks
/// another one (the pass-through path never builds it): system text, messages of content parts, tools,
/// and the generation settings every format has some form of.
/// </summary>
internal sealed class Conversation
{
    /// <summary>System instructions, in order (OpenAI system/developer messages are lifted here).</summary>
    public List<ContentPart> System { get; } = [];

    public List<ChatMessage> Messages { get; } = [];

    public List<ToolDefinition> Tools { get; } = [];

    public ToolChoice? ToolChoice { get; set; }

    /// <summary>False when the client asked for one tool call at a time.</summary>
    public bool? ParallelToolCalls { get; set; }

    public int? MaxTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public int? TopK { get; set; }

    public List<string> StopSequences { get; } = [];

    public ReasoningRequest? Reasoning { get; set; }

    public ResponseFormat? ResponseFormat { get; set; }

    /// <summary>The end user's id (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>).</summary>
    public string? UserId { get; set; }

    /// <summary>
    /// The client's top-level members the neutral model has no place for, as raw JSON; written only to a
    /// target of the client's own format (<see cref="ExtensionsFormat"/>), dropped for any other.
    /// </summary>
    public List<(string Name, string Json)> Extensions { get; } = [];

    /// <summary>The format <see cref="Extensions"/> belong to.</summary>
    public WireFormat ExtensionsFormat { get; init; }

    /// <summary>
    /// Tool names the target sees that stand for another name in the client's format: a Responses
    /// namespace tool flattened to one function name (<c>ns__tool</c>), mapped back when the model calls it.
    /// </summary>
    public Dictionary<string, (string Name, string? Namespace)> ToolAliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Keeps the members of the client's body a reader did not consume as <see cref="Extensions"/>.</summary>
    public void KeepUnread(System.Text.Json.JsonElement body, IReadOnlySet<string> consumed)
    {
        foreach (var member in body.EnumerateObject())
        {
            if (!consumed.Contains(member.Name))
            {
                Extensions.Add((member.Name, member.Value.GetRawText()));
            }
        }
    }
}
