using System.Collections.Concurrent;
using System.Net;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Sends upstream requests with the provider's credentials. For the modes that fetch tokens
/// (<c>Managed</c>, <c>AzureAD</c>) a 401/403 answer gets one token refresh and one retry (SPEC §5 Auth)
/// before it counts as the attempt's result.
/// </summary>
internal sealed class UpstreamSender
{
    private readonly IHttpClientFactory _clients;
    private readonly ManagedTokenSource _managed;
    private readonly AzureAdTokenSource _azureAd;

    // One HttpClient per provider, made once: the providers' handlers live as long as the process
    // (SetHandlerLifetime(Infinite)), so a client from the factory per request only cost a lookup and an allocation.
    private readonly ConcurrentDictionary<string, HttpClient> _clientByName = new(StringComparer.Ordinal);

    public UpstreamSender(IHttpClientFactory clients, ManagedTokenSource managed, AzureAdTokenSource azureAd)
    {
        _clients = clients;
        _managed = managed;
        _azureAd = azureAd;
    }

    public Task<HttpResponseMessage> SendChatAsync(RouteTarget target, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(target.Provider, bearer => UpstreamRequestFactory.CreateChat(target, body, stream, call, bearer), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public Task<HttpResponseMessage> SendCountTokensAsync(RouteTarget target, ReadOnlyMemory<byte> body, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(target.Provider, bearer => UpstreamRequestFactory.CreateCountTokens(target, body, call, bearer), HttpCompletionOption.ResponseContentRead, cancellationToken);

    public Task<HttpResponseMessage> SendModelsAsync(Provider provider, Uri uri, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(provider, bearer => UpstreamRequestFactory.CreateModels(provider, uri, call, bearer), HttpCompletionOption.ResponseContentRead, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(Provider provider, Func<string?, HttpRequestMessage> create, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var client = _clientByName.GetOrAdd(provider.HttpClientName, static (name, factory) => factory.CreateClient(name), _clients);
        IUpstreamTokenSource? tokens = provider.AuthMode switch
        {
            UpstreamAuthMode.Managed => _managed,
            UpstreamAuthMode.AzureAD => _azureAd,
            _ => null,
        };
        var token = tokens is null ? null : await tokens.GetAsync(provider, rejected: null, cancellationToken);
        using (var request = create(token))
        {
            var response = await client.SendAsync(request, completion, cancellationToken);
            if (tokens is null || response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                return response;
            }

            response.Dispose();
        }

        token = await tokens.GetAsync(provider, rejected: token, cancellationToken);
        using var retry = create(token);
        return await client.SendAsync(retry, completion, cancellationToken);
    }
}
