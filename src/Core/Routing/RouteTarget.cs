using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>One place a public model can go: a provider, the model name it uses there, a weight and a channel.</summary>
internal sealed record RouteTarget(Provider Provider, string Model, double Weight, string? Channel)
{
    /// <summary>Health, cooldown and circuit state are kept per provider and model.</summary>
    public string Key { get; } = Provider.Id + "/" + Model;
}
