namespace Gateway.Chat;

/// <summary>
/// One step of a streamed answer in neutral form, decoded from an upstream event and encoded into the
/// client's frames. A small value: which fields are set depends on <see cref="Kind"/>.
/// </summary>
internal readonly record struct ChatUpdate
{
    public ChatUpdateKind Kind { get; init; }

    /// <summary>The choice (OpenAI <c>n</c>); 0 for every other format.</summary>
    public int Choice { get; init; }

    /// <summary>Text of a text, reasoning or refusal delta; the argument text of a tool-arguments delta.</summary>
    public string? Text { get; init; }

    /// <summary>The tool call's 0-based index within its choice.</summary>
    public int ToolIndex { get; init; }

    /// <summary>The tool call's id (<see cref="ChatUpdateKind.ToolCallStart"/>).</summary>
    public string? ToolId { get; init; }

    /// <summary>The tool's name (<see cref="ChatUpdateKind.ToolCallStart"/>).</summary>
    public string? ToolName { get; init; }

    /// <summary>An OpenAI custom (free-form) tool call.</summary>
    public bool CustomTool { get; init; }

    /// <summary>A signature or redacted payload.</summary>
    public Opaque? Opaque { get; init; }

    public FinishReason? Finish { get; init; }

    public TokenUsage? Usage { get; init; }

    /// <summary>The upstream's response id (<see cref="ChatUpdateKind.Start"/>).</summary>
    public string? ResponseId { get; init; }

    /// <summary>The model the upstream says answered (<see cref="ChatUpdateKind.Start"/>).</summary>
    public string? Model { get; init; }

    /// <summary>Unix seconds the upstream gave (<see cref="ChatUpdateKind.Start"/>).</summary>
    public long? Created { get; init; }

    /// <summary>The upstream announced the assistant role for <see cref="Choice"/> (<see cref="ChatUpdateKind.Start"/>).</summary>
    public bool AnnouncesRole { get; init; }

    /// <summary>True for updates the client must see: text, reasoning, a tool call or a finish.</summary>
    public bool IsContent => Kind is not (ChatUpdateKind.Start or ChatUpdateKind.Usage)
        && (Kind is not (ChatUpdateKind.TextDelta or ChatUpdateKind.ReasoningDelta or ChatUpdateKind.RefusalDelta) || !string.IsNullOrEmpty(Text));

    public static ChatUpdate TextDelta(string text, int choice = 0) => new() { Kind = ChatUpdateKind.TextDelta, Text = text, Choice = choice };

    public static ChatUpdate ReasoningDelta(string text, int choice = 0) => new() { Kind = ChatUpdateKind.ReasoningDelta, Text = text, Choice = choice };

    public static ChatUpdate ReasoningSignature(Opaque signature, int choice = 0) => new() { Kind = ChatUpdateKind.ReasoningSignature, Opaque = signature, Choice = choice };

    public static ChatUpdate RedactedReasoning(Opaque data, int choice = 0) => new() { Kind = ChatUpdateKind.RedactedReasoning, Opaque = data, Choice = choice };

    public static ChatUpdate ToolCallStart(int index, string id, string name, bool custom = false, int choice = 0) =>
        new() { Kind = ChatUpdateKind.ToolCallStart, ToolIndex = index, ToolId = id, ToolName = name, CustomTool = custom, Choice = choice };

    public static ChatUpdate ToolArguments(int index, string arguments, int choice = 0) =>
        new() { Kind = ChatUpdateKind.ToolArgumentsDelta, ToolIndex = index, Text = arguments, Choice = choice };

    public static ChatUpdate Finished(FinishReason finish, int choice = 0) => new() { Kind = ChatUpdateKind.Finish, Finish = finish, Choice = choice };

    public static ChatUpdate UsageReport(TokenUsage usage) => new() { Kind = ChatUpdateKind.Usage, Usage = usage };
}
