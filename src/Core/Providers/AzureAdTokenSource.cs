using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;
using Gateway.Auth;

namespace Gateway.Providers;

/// <summary>
/// Tokens for <c>UpstreamAuth.Mode: AzureAD</c> (Azure OpenAI and other Entra ID upstreams) from
/// Azure.Identity: the provider's user-assigned managed identity (<c>ManagedIdentityClientId</c>) or
/// <c>DefaultAzureCredential</c>, for <c>Scope</c>. Cached and refreshed <c>SkewSeconds</c> before expiry
/// by <see cref="UpstreamTokenCache"/>, like Managed tokens; each instance gets its own (no state store).
/// </summary>
internal sealed class AzureAdTokenSource : IUpstreamTokenSource
{
    /// <summary>Scope of Azure OpenAI and the other Azure AI services.</summary>
    public const string DefaultScope = "https://cognitiveservices.azure.com/.default";

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    private readonly TokenCredential? _shared;
    private readonly UpstreamTokenCache _cache;
    private readonly ConcurrentDictionary<string, TokenCredential> _credentials = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="shared">A credential registered with the host's services; used for every provider instead of one from configuration.</param>
    /// <param name="time">Clock for expiry.</param>
    public AzureAdTokenSource(TokenCredential? shared, TimeProvider time)
    {
        _shared = shared;
        _cache = new UpstreamTokenCache(time);
    }

    /// <inheritdoc/>
    public ValueTask<string> GetAsync(Provider provider, string? rejected, CancellationToken cancellationToken) =>
        _cache.GetAsync(provider, rejected, this, static (self, p, _, ct) => self.FetchAsync(p, ct), cancellationToken);

    private async Task<UpstreamToken> FetchAsync(Provider provider, CancellationToken cancellationToken)
    {
        var auth = provider.Options.UpstreamAuth;
        var credential = _shared ?? _credentials.GetOrAdd(provider.Id, _ => AzureCredentials.For(auth.ManagedIdentityClientId));
        using var timeout = new CancellationTokenSource(FetchTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // After a 401 this asks again; Azure.Identity may answer from its own cache until that token nears expiry.
            var token = await credential.GetTokenAsync(new TokenRequestContext([auth.Scope ?? DefaultScope]), linked.Token);
            return new UpstreamToken(token.Token, token.ExpiresOn);
        }
        catch (Exception ex) when (ex is AuthenticationFailedException or CredentialUnavailableException or Azure.RequestFailedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The type only: Azure.Identity's messages list every credential it tried, with details of the machine.
            throw new UpstreamTokenException($"Azure AD token unavailable ({ex.GetType().Name})", ex);
        }
    }
}
