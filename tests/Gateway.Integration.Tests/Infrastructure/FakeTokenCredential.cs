using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// An Entra ID credential for tests (nothing real can be had here): hands out <c>aad-1</c>, <c>aad-2</c>, …
/// expiring <see cref="Lifetime"/> from now, and records the scopes asked for.
/// </summary>
public sealed class FakeTokenCredential : TokenCredential
{
    private int _issued;

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When true, every request fails as Azure.Identity fails without a usable identity.</summary>
    public bool Fail { get; set; }

    public int Issued => _issued;

    public ConcurrentQueue<string> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.Enqueue(string.Join(' ', requestContext.Scopes));
        if (Fail)
        {
            throw new CredentialUnavailableException("no identity here (test)");
        }

        var n = Interlocked.Increment(ref _issued);
        return ValueTask.FromResult(new AccessToken($"aad-{n}", DateTimeOffset.UtcNow + Lifetime));
    }
}
