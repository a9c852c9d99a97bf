using Azure.Core;
using Azure.Identity;

namespace Gateway.Auth;

/// <summary>The Entra ID credential the gateway itself uses on Azure (Table Storage, Azure AD upstreams).</summary>
internal static class AzureCredentials
{
    /// <summary>
    /// A user-assigned managed identity when its client id is given (the identity the app runs as on
    /// Azure); otherwise <see cref="DefaultAzureCredential"/> (environment, workload or managed identity,
    /// developer sign-ins).
    /// </summary>
    public static TokenCredential For(string? managedIdentityClientId) =>
        string.IsNullOrWhiteSpace(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId));
}
