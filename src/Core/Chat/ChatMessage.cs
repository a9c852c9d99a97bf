namespace Gateway.Chat;

/// <summary>One turn of a conversation: who said it and its parts, in order.</summary>
internal sealed class ChatMessage
{
    public ChatMessage(ChatRole role, List<ContentPart> parts)
    {
        Role = role;
        Parts = parts;
    }

    public ChatRole Role { get; }

    public List<ContentPart> Parts { get; }

    /// <summary>The participant's name (OpenAI <c>name</c>), if any.</summary>
    public string? Name { get; init; }
}
