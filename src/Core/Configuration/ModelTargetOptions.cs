namespace Gateway.Configuration;

/// <summary>One target of a public model id.</summary>
public sealed record ModelTargetOptions
{
    /// <summary>Provider id (a key of <c>Providers</c>).</summary>
    public string? Provider { get; set; }

    /// <summary>Model name sent upstream. Default: the public id.</summary>
    public string? Model { get; set; }

    /// <summary>Selection weight. Default: the provider's <c>Weight</c>.</summary>
    public double? Weight { get; set; }

    /// <summary>Sent upstream as <c>X-Channel</c> when set.</summary>
    public string? Channel { get; set; }
}
