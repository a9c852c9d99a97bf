namespace Gateway.Configuration;

/// <summary>How clients authenticate to the gateway.</summary>
public enum AuthMode
{
    /// <summary>Not configured; start-up fails (the open mode must be chosen explicitly).</summary>
    Unset = 0,

    /// <summary>No client key is checked.</summary>
    None,

    /// <summary>A configured key is required as <c>Authorization: Bearer</c> or <c>X-Api-Key</c>.</summary>
    Bearer,
}
