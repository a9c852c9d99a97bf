namespace Gateway.State;

/// <summary>One target of a <see cref="ModelOverride"/>.</summary>
internal sealed record OverrideTarget(string Provider, string? Model, double? Weight, string? Channel);
