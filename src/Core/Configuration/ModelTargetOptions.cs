namespace Gateway.Configuration;

/// <summary>One target of a public model id.</summary>
public sealed record ModelTargetOptions
{
    /// <summary>Provider id (a key of <c>Providers</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>Model name sent upstream. Default: the public id.</summary>
    public string? Model { get; init; }

    /// <summary>Selection weight. Default: the provider's <c>Weight</c>.</summary>
    public double? Weight { get; init; }

    /// <summary>Sent upstream as <c>X-Channel</c> when set.</summary>
    public string? Channel { get; init; }
}
