namespace Gateway.Chat;

/// <summary>The client's tool choice.</summary>
/// <param name="Mode">Auto, required, none or one named tool.</param>
/// <param name="Name">The tool for <see cref="ToolChoiceMode.Tool"/>.</param>
internal sealed record ToolChoice(ToolChoiceMode Mode, string? Name = null);
