namespace Gateway.Chat;

/// <summary>Reasoning the provider returned only as an encrypted payload (Anthropic <c>redacted_thinking</c>).</summary>
internal sealed record RedactedReasoningPart(Opaque Data) : ContentPart;
