namespace Gateway.Chat;

/// <summary>Plain text.</summary>
internal sealed record TextPart(string Text) : ContentPart;
