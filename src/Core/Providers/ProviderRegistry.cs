using Gateway.Configuration;

namespace Gateway.Providers;

/// <summary>All configured providers by id (ids compare case-insensitively, as configuration keys do).</summary>
internal sealed class ProviderRegistry
{
    private readonly Dictionary<string, Provider> _providers = new(StringComparer.OrdinalIgnoreCase);

    public ProviderRegistry(GatewayOptions options)
    {
        foreach (var (id, provider) in options.Providers)
        {
            _providers[id] = new Provider(id, provider);
        }

        All = [.. _providers.Values];
    }

    /// <summary>Providers in configuration order.</summary>
    public IReadOnlyList<Provider> All { get; }

    public Provider this[string id] => _providers[id];

    public bool TryGet(string id, out Provider provider) => _providers.TryGetValue(id, out provider!);
}
