namespace Gateway.Diagnostics;

/// <summary>
/// Reads <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> (<c>Authorization=AAD;ClientId=…</c>), the setting
/// Azure uses for Application Insights with local auth off: the exporter then authenticates with that
/// user-assigned managed identity (no <c>ClientId</c>: the system-assigned one).
/// </summary>
public static class ApplicationInsightsAuthentication
{
    /// <summary>The setting that holds the connection string.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The setting that asks for Entra ID authentication.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>True when the string asks for Entra ID (<c>Authorization=AAD</c>); <paramref name="clientId"/> is the identity's client id, if named.</summary>
    public static bool TryParse(string? authenticationString, out string? clientId)
    {
        clientId = null;
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return false;
        }

        var aad = false;
        foreach (var part in authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                aad = value.Equals("AAD", StringComparison.OrdinalIgnoreCase);
            }
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            {
                clientId = value;
            }
        }

        if (!aad)
        {
            clientId = null;
        }

        return aad;
    }
}
