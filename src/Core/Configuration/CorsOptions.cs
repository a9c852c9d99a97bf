namespace Gateway.Configuration;

/// <summary>Browser origins allowed to call the gateway (SPEC §3 <c>Cors</c>).</summary>
public sealed record CorsOptions
{
    /// <summary>Exact origins such as <c>https://app.example</c>, or <c>*</c>. Default none.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];
}
