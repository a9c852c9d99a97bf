namespace Gateway.Configuration;

/// <summary>A public model id and where it goes (SPEC §3 <c>Models</c>).</summary>
public sealed record ModelOptions
{
    /// <summary>The id clients ask for.</summary>
    public string? Id { get; set; }

    /// <summary>Where requests for <see cref="Id"/> go, in failover order.</summary>
    public IReadOnlyList<ModelTargetOptions> Targets { get; set; } = [];
}
