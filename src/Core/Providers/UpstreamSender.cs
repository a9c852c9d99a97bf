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
    private readonly IHttpMessageHandlerFactory _handlers;
    private readonly ManagedTokenSource _managed;
    private readonly AzureAdTokenSource _azureAd;

    // One invoker per provider over its handler pipeline, made once: the handlers live as long as the process
    // (SetHandlerLifetime(Infinite)). An invoker, not an HttpClient: the client's timeout is infinite here,
    // and its per-request work for one (a cancellation source linked to the caller's, and a client made by
    // the factory for every call) was all overhead; answers the caller reads whole are buffered below as
    // the client buffered them.
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _invokerByName = new(StringComparer.Ordinal);

    public UpstreamSender(IHttpMessageHandlerFactory handlers, ManagedTokenSource managed, AzureAdTokenSource azureAd)
    {
        _handlers = handlers;
        _managed = managed;
        _azureAd = azureAd;
    }

    public Task<HttpResponseMessage> SendChatAsync(RouteTarget target, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(new Call(CallKind.Chat, target.Provider, target, null, body, stream, call), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public Task<HttpResponseMessage> SendCountTokensAsync(RouteTarget target, ReadOnlyMemory<byte> body, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(new Call(CallKind.CountTokens, target.Provider, target, null, body, false, call), HttpCompletionOption.ResponseContentRead, cancellationToken);

    public Task<HttpResponseMessage> SendModelsAsync(Provider provider, Uri uri, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(new Call(CallKind.Models, provider, null, uri, default, false, call), HttpCompletionOption.ResponseContentRead, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(Call call, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var provider = call.Provider;
        var invoker = _invokerByName.GetOrAdd(
            provider.HttpClientName,
            static (name, factory) => new HttpMessageInvoker(factory.CreateHandler(name), disposeHandler: false),
            _handlers);
        IUpstreamTokenSource? tokens = provider.AuthMode switch
        {
            UpstreamAuthMode.Managed => _managed,
            UpstreamAuthMode.AzureAD => _azureAd,
            _ => null,
        };
        var token = tokens is null ? null : await tokens.GetAsync(provider, rejected: null, cancellationToken);
        using (var request = call.Create(token))
        {
            var response = await SendAsync(invoker, request, completion, cancellationToken);
            if (tokens is null || response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                return response;
            }

            response.Dispose();
        }

        token = await tokens.GetAsync(provider, rejected: token, cancellationToken);
        using var retry = call.Create(token);
        return await SendAsync(invoker, retry, completion, cancellationToken);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var response = await invoker.SendAsync(request, cancellationToken);
        if (completion == HttpCompletionOption.ResponseContentRead)
        {
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        return response;
    }

    private enum CallKind
    {
        Chat,
        CountTokens,
        Models,
    }

    // What to build the request from (again for the retry after a token refresh), as a value: a lambda
    // capturing the same was a closure and a delegate allocated for every upstream call.
    private readonly record struct Call(CallKind Kind, Provider Provider, RouteTarget? Target, Uri? Uri, ReadOnlyMemory<byte> Body, bool Stream, UpstreamCallContext Context)
    {
        public HttpRequestMessage Create(string? bearer) => Kind switch
        {
            CallKind.Chat => UpstreamRequestFactory.CreateChat(Target!, Body, Stream, Context, bearer),
            CallKind.CountTokens => UpstreamRequestFactory.CreateCountTokens(Target!, Body, Context, bearer),
            _ => UpstreamRequestFactory.CreateModels(Provider, Uri!, Context, bearer),
        };
    }
}
