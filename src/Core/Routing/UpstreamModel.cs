namespace Gateway.Routing;

/// <summary>A model id a provider reports, with its <c>owned_by</c>.</summary>
internal sealed record UpstreamModel(string Id, string OwnedBy);
