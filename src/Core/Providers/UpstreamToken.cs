namespace Gateway.Providers;

/// <summary>A bearer token for an upstream and when it stops being valid.</summary>
internal readonly record struct UpstreamToken(string Value, DateTimeOffset ExpiresAt);
