namespace Gateway.Chat;

/// <summary>The model's visible reasoning, with the provider's signature when it gave one.</summary>
internal sealed record ReasoningPart(string Text, Opaque? Signature) : ContentPart;
