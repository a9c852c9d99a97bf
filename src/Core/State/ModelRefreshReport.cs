namespace Gateway.State;

/// <summary>What one run of <see cref="ModelRefreshJob"/> did.</summary>
internal sealed record ModelRefreshReport(IReadOnlyDictionary<string, ProviderRefresh> Providers, SweepCounts Swept);

/// <summary>One provider's refresh: fetched or not, and how many models it now has.</summary>
internal sealed record ProviderRefresh(bool Fetched, int Models);

/// <summary>Expired rows removed.</summary>
internal sealed record SweepCounts(int Sessions, int Affinity, int Tokens, int Thinking, int Responses);
