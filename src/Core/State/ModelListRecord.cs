using Gateway.Routing;

namespace Gateway.State;

/// <summary>A provider's model list as last fetched.</summary>
internal sealed record ModelListRecord(string Provider, IReadOnlyList<UpstreamModel> Models, DateTimeOffset FetchedAt);
