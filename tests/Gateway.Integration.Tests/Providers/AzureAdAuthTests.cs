using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Integration.Tests.Providers;

/// <summary>
/// <c>UpstreamAuth: AzureAD</c> with a fake Entra ID credential (given to the gateway through DI) and a
/// fake upstream that accepts only the bearer tokens it is told to.
/// </summary>
public sealed class AzureAdAuthTests
{
    [Theory]
    [InlineData(null, "https://cognitiveservices.azure.com/.default")]
    [InlineData("api://my-upstream/.default", "api://my-upstream/.default")]
    public async Task AzureAD_SendsTheCredentialsTokenForTheScopeAndReusesIt(string? scope, string expectedScope)
    {
        var credential = new FakeTokenCredential();
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = AcceptOnly("aad-1");
        var config = AzureAd(TestConfig.Single(upstream.BaseUrl));
        if (scope is not null)
        {
            config.ProviderSetting("main", "UpstreamAuth:Scope", scope);
        }

        await using var gateway = await GatewayApp.StartAsync(config, s => s.AddSingleton<TokenCredential>(credential));

        using var first = await gateway.Client.PostAsync(Requests.Hello);
        using var second = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, credential.Issued);
        Assert.Equal([expectedScope], credential.Scopes);
        Assert.All(upstream.Requests, r => Assert.Equal("Bearer aad-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task AzureAD_TokenWithinSkewOfExpiry_IsRefreshedBeforeUse()
    {
        // Tokens live 30 minutes; with SkewSeconds an hour, each is already due for refresh when the next request comes.
        var credential = new FakeTokenCredential { Lifetime = TimeSpan.FromMinutes(30) };
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = AcceptOnly("aad-1", "aad-2");
        var config = AzureAd(TestConfig.Single(upstream.BaseUrl)).ProviderSetting("main", "UpstreamAuth:SkewSeconds", 3600);
        await using var gateway = await GatewayApp.StartAsync(config, s => s.AddSingleton<TokenCredential>(credential));

        using var first = await gateway.Client.PostAsync(Requests.Hello);
        using var second = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, credential.Issued);
        Assert.Equal(["Bearer aad-1", "Bearer aad-2"], upstream.Requests.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task AzureAD_RejectedWith401_IsRefreshedAndTheCallRetriedOnce()
    {
        var credential = new FakeTokenCredential();
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = AcceptOnly("aad-2");
        await using var gateway = await GatewayApp.StartAsync(AzureAd(TestConfig.Single(upstream.BaseUrl)), s => s.AddSingleton<TokenCredential>(credential));

        using var response = await gateway.Client.PostAsync(Requests.Hello);
        var logs = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, credential.Issued);
        Assert.Equal(["Bearer aad-1", "Bearer aad-2"], upstream.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal("1", (await gateway.Logs.WaitForRequestLineAsync())["attempts"]);
        Assert.DoesNotContain("aad-", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureAD_RejectedAgainAfterRefresh_IsAnUpstreamAuthFailure()
    {
        var credential = new FakeTokenCredential();
        await using var upstream = await FakeUpstreamServer.StartAsync();
        upstream.Default = AcceptOnly();
        await using var gateway = await GatewayApp.StartAsync(AzureAd(TestConfig.Single(upstream.BaseUrl)), s => s.AddSingleton<TokenCredential>(credential));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task AzureAD_NoCredentialAvailable_IsAnUpstreamAuthFailureWithoutCallingTheUpstream()
    {
        var credential = new FakeTokenCredential { Fail = true };
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(AzureAd(TestConfig.Single(upstream.BaseUrl)), s => s.AddSingleton<TokenCredential>(credential));

        using var response = await gateway.Client.PostAsync(Requests.Hello);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_auth_error", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(upstream.Requests);
    }

    private static TestConfig AzureAd(TestConfig config) => config
        .Remove("Providers:main:ApiKey")
        .ProviderSetting("main", "UpstreamAuth:Mode", "AzureAD");

    // The upstream's side of Entra ID: 401 for any bearer but the listed ones.
    private static Script AcceptOnly(params string[] tokens) => (context, request) =>
        tokens.Any(t => request.Header("Authorization") == "Bearer " + t)
            ? Scripts.Echo()(context, request)
            : Scripts.Json("""{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}""", 401)(context, request);
}
