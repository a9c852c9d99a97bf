namespace Gateway.Configuration;

/// <summary>How the gateway authenticates to an upstream.</summary>
public enum UpstreamAuthMode
{
    /// <summary>Not configured: <see cref="Static"/> when the provider has an <c>ApiKey</c>, else <see cref="None"/>.</summary>
    Default = 0,

    /// <summary>The provider's <c>ApiKey</c> as a bearer token.</summary>
    Static,

    /// <summary>The client's bearer token is forwarded (only with <c>Auth.Mode: None</c>).</summary>
    PassThrough,

    /// <summary>A token fetched from <c>TokenUrl</c> and refreshed before expiry.</summary>
    Managed,

    /// <summary>An Entra ID token from Azure.Identity (Azure OpenAI with the app's managed identity).</summary>
    AzureAD,

    /// <summary>No upstream credentials.</summary>
    None,
}
