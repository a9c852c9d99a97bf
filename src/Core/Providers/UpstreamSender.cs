using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Sends upstream requests with the provider's credentials. For the modes that fetch tokens
/// (<c>Managed</c>, <c>AzureAD</c>) a 401/403 answer gets one token refresh and one retry (SPEC §5 Auth)
/// before it counts as the attempt's result.
/// </summary>
internal sealed partial class UpstreamSender
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

    /// <summary>
    /// The chat call of an attempt: to the provider's chat URI, or to the URI the codec names
    /// (<see cref="IAttemptCodec.UpstreamUri"/>). When the upstream answers 4xx to a body that carried its own
    /// session, the codec's <see cref="IAttemptCodec.WithoutSession"/> gives the same turn without it, sent once more.
    /// </summary>
    public Task<HttpResponseMessage> SendChatAsync(
        RouteTarget target, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, CancellationToken cancellationToken, IAttemptCodec? codec = null) =>
        SendAsync(new Call(CallKind.Chat, target.Provider, target, codec?.UpstreamUri ?? target.Provider.ChatUriFor(target.Model, stream), body, stream, call, codec), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public Task<HttpResponseMessage> SendCountTokensAsync(RouteTarget target, ReadOnlyMemory<byte> body, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(new Call(CallKind.CountTokens, target.Provider, target, null, body, false, call, null), HttpCompletionOption.ResponseContentRead, cancellationToken);

    public Task<HttpResponseMessage> SendModelsAsync(Provider provider, Uri uri, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(new Call(CallKind.Models, provider, null, uri, default, false, call, null), HttpCompletionOption.ResponseContentRead, cancellationToken);

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
        HttpResponseMessage response;
        using (var request = call.Create(token))
        {
            response = await SendAsync(invoker, request, completion, cancellationToken);
        }

        if (tokens is not null && await TokenRejectedAsync(response, cancellationToken))
        {
            response.Dispose();
            token = await tokens.GetAsync(provider, rejected: token, cancellationToken);
            using var retry = call.Create(token);
            response = await SendAsync(invoker, retry, completion, cancellationToken);
        }

        // A 4xx to a body that carried the upstream's own session: the same turn once more without it.
        if (call.Session is not { } session
            || (int)response.StatusCode is < 400 or >= 500 or 401 or 403 or 408 or 413 or 429
            || session.WithoutSession(call.Stream) is not { } fresh)
        {
            return response;
        }

        response.Dispose();
        return await SendAsync(call with { Body = fresh, Session = null }, completion, cancellationToken);
    }

    // A chat call reads its answer itself (ResponseHeadersRead): the invoker's own task, with no async layer of ours around it.
    private static Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        completion == HttpCompletionOption.ResponseContentRead ? SendBufferedAsync(invoker, request, cancellationToken) : invoker.SendAsync(request, cancellationToken);

    private static async Task<HttpResponseMessage> SendBufferedAsync(HttpMessageInvoker invoker, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await invoker.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        return response;
    }

    private enum CallKind
    {
        Chat,
        CountTokens,
        Models,
    }

    // What to build the request from (again for the retry after a token refresh or without the session), as a
    // value: a lambda capturing the same was a closure and a delegate allocated for every upstream call.
    private readonly record struct Call(CallKind Kind, Provider Provider, RouteTarget? Target, Uri? Uri, ReadOnlyMemory<byte> Body, bool Stream, UpstreamCallContext Context, IAttemptCodec? Session)
    {
        public HttpRequestMessage Create(string? bearer) => Kind switch
        {
            CallKind.Chat => UpstreamRequestFactory.CreateChat(Target!, Uri!, Body, Stream, Context, bearer),
            CallKind.CountTokens => UpstreamRequestFactory.CreateCountTokens(Target!, Body, Context, bearer),
            _ => UpstreamRequestFactory.CreateModels(Provider, Uri!, Context, bearer),
        };
    }

    // 401/403, or another 4xx whose body says the token expired (some sites answer 400 "jwt expired").
    private static async Task<bool> TokenRejectedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is 401 or 403)
        {
            return true;
        }

        if (status is < 400 or >= 500 || response.Content.Headers.ContentLength is > MaxErrorPeek)
        {
            return false;
        }

        // Read (bounded) and put back, so whoever gets the response still reads the same body.
        var read = await Endpoints.BoundedRead.ReadAsync(await response.Content.ReadAsStreamAsync(cancellationToken), response.Content.Headers.ContentLength, MaxErrorPeek, cancellationToken);
        var bytes = read?.ToArray();
        var headers = response.Content.Headers.ToList();
        response.Content = new ByteArrayContent(bytes ?? []);
        foreach (var (name, values) in headers)
        {
            response.Content.Headers.TryAddWithoutValidation(name, values);
        }

        return bytes is not null && TokenExpired().IsMatch(System.Text.Encoding.UTF8.GetString(bytes));
    }

    private const int MaxErrorPeek = 64 * 1024;

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(token|jwt)\b[^.\n]{0,40}\b(expired|invalid|revoked)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, 1000)]
    private static partial System.Text.RegularExpressions.Regex TokenExpired();
}
