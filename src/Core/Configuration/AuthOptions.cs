namespace Gateway.Configuration;

/// <summary>Client authentication (SPEC §3 <c>Auth</c>).</summary>
public sealed record AuthOptions
{
    /// <summary><c>None</c> or <c>Bearer</c>; there is no default.</summary>
    public AuthMode Mode { get; set; }

    /// <summary>Key name → key. The name is what logs and rate limits use; the key is never logged.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; set; } = new Dictionary<string, string>();

    /// <summary>Key for <c>/manage/*</c> and <c>/metrics</c>; never accepted as a client key.</summary>
    public string? AdminKey { get; set; }
}
