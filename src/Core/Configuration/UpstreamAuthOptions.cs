namespace Gateway.Configuration;

/// <summary>Upstream authentication of one provider (SPEC §3 <c>UpstreamAuth</c>).</summary>
public sealed record UpstreamAuthOptions
{
    /// <summary>See <see cref="UpstreamAuthMode"/>.</summary>
    public UpstreamAuthMode Mode { get; set; }

    /// <summary>Managed mode: where tokens come from.</summary>
    public string? TokenUrl { get; set; }

    /// <summary>Managed mode: HTTP method of the token request. Default <c>POST</c>.</summary>
    public string Method { get; set; } = "POST";

    /// <summary>Managed mode: headers of the token request.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <summary>Managed mode: body of the token request.</summary>
    public string? Body { get; set; }

    /// <summary>Managed mode: dotted path of the token in the response. Default <c>access_token</c>.</summary>
    public string TokenPath { get; set; } = "access_token";

    /// <summary>Managed mode: dotted path of the lifetime in seconds. Default <c>expires_in</c>.</summary>
    public string ExpiresInPath { get; set; } = "expires_in";

    /// <summary>Managed and AzureAD modes: refresh this many seconds before expiry. Default 60.</summary>
    public double SkewSeconds { get; set; } = 60;

    /// <summary>AzureAD mode: the token's scope. Default <c>https://cognitiveservices.azure.com/.default</c> (Azure OpenAI).</summary>
    public string? Scope { get; set; }

    /// <summary>AzureAD mode: client id of the user-assigned managed identity to use; otherwise <c>DefaultAzureCredential</c>.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
