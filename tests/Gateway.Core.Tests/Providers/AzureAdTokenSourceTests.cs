using Azure.Core;
using Azure.Identity;
using Gateway.Auth;
using Gateway.Configuration;
using Gateway.Providers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Providers;

public sealed class AzureAdTokenSourceTests
{
    private static readonly Provider AzureOpenAI = new("aoai", new ProviderOptions
    {
        Kind = ProviderKind.OpenAI,
        BaseUrl = "https://example.openai.azure.com/openai/v1",
        UpstreamAuth = new UpstreamAuthOptions { Mode = UpstreamAuthMode.AzureAD, SkewSeconds = 300 },
    });

    [Fact]
    public async Task GetAsync_ReusesTheTokenUntilSkewSecondsBeforeExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var source = new AzureAdTokenSource(credential, time);

        var first = await source.GetAsync(AzureOpenAI, null, default);
        time.Advance(TimeSpan.FromMinutes(54));
        var stillFresh = await source.GetAsync(AzureOpenAI, null, default);
        time.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: inside the 5-minute skew
        var refreshed = await source.GetAsync(AzureOpenAI, null, default);

        Assert.Equal(["t1", "t1", "t2"], new[] { first, stillFresh, refreshed });
    }

    [Fact]
    public async Task GetAsync_WithTheRejectedToken_FetchesAnotherOnce()
    {
        var time = new FakeTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1));
        var source = new AzureAdTokenSource(credential, time);

        var first = await source.GetAsync(AzureOpenAI, null, default);
        var afterRejection = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => source.GetAsync(AzureOpenAI, first, default).AsTask()));

        // Callers that saw the same rejection share one refresh.
        Assert.All(afterRejection, t => Assert.Equal("t2", t));
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallers_ShareOneFetch()
    {
        var time = new FakeTimeProvider();
        var credential = new CountingCredential(time, TimeSpan.FromHours(1)) { Delay = TimeSpan.FromMilliseconds(100) };
        var source = new AzureAdTokenSource(credential, time);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetAsync(AzureOpenAI, null, default).AsTask()));

        Assert.All(tokens, t => Assert.Equal("t1", t));
        Assert.Equal(1, credential.Calls);
        Assert.Equal(AzureAdTokenSource.DefaultScope, credential.LastScope);
    }

    [Fact]
    public async Task GetAsync_CredentialUnavailable_IsAnUpstreamTokenException()
    {
        var source = new AzureAdTokenSource(new CountingCredential(TimeProvider.System, TimeSpan.Zero) { Fail = true }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<UpstreamTokenException>(() => source.GetAsync(AzureOpenAI, null, default).AsTask());

        Assert.Equal("Azure AD token unavailable (CredentialUnavailableException)", error.Message);
    }

    [Fact]
    public void AzureCredentials_ForAClientId_IsThatManagedIdentity()
    {
        Assert.IsType<ManagedIdentityCredential>(AzureCredentials.For("00000000-0000-0000-0000-000000000001"));
        Assert.IsType<DefaultAzureCredential>(AzureCredentials.For(null));
    }

    private sealed class CountingCredential(TimeProvider time, TimeSpan lifetime) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public TimeSpan Delay { get; init; }

        public bool Fail { get; init; }

        public string? LastScope { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            LastScope = requestContext.Scopes.Single();
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            return Fail ? throw new CredentialUnavailableException("none") : new AccessToken("t" + n, time.GetUtcNow() + lifetime);
        }
    }
}
