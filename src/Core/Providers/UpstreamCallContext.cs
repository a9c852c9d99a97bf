namespace Gateway.Providers;

/// <summary>Per-request values that go on every upstream call of that request.</summary>
internal sealed record UpstreamCallContext(string RequestId, string TraceParent, string? ClientBearer);
