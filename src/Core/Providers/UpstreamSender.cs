using System.Net;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Sends upstream requests with the provider's credentials. For the modes that fetch tokens
/// (<c>Managed</c>, <c>AzureAD</c>) a 401/403 answer gets one token refresh and one retry (SPEC §5 Auth)
/// before it counts as the attempt's result.
/// </summary>
internal sealed partial class UpstreamSender
{
    private readonly IHttpClientFactory _clients;
    private readonly ManagedTokenSource _managed;
    private readonly AzureAdTokenSource _azureAd;

    public UpstreamSender(IHttpClientFactory clients, ManagedTokenSource managed, AzureAdTokenSource azureAd)
    {
        _clients = clients;
        _managed = managed;
        _azureAd = azureAd;
    }

    /// <summary>
    /// The chat call of an attempt: to the provider's chat URI, or to <paramref name="uri"/> when the codec
    /// names another. When the upstream answers 4xx to a body that carried its own session,
    /// <paramref name="withoutSession"/> gives the same turn without it, sent once more.
    /// </summary>
    public async Task<HttpResponseMessage> SendChatAsync(
        RouteTarget target, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, CancellationToken cancellationToken,
        Uri? uri = null, Func<ReadOnlyMemory<byte>?>? withoutSession = null)
    {
        var response = await SendAsync(target.Provider, bearer => UpstreamRequestFactory.CreateChat(target, uri ?? target.Provider.ChatUri, body, stream, call, bearer), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (withoutSession is null || (int)response.StatusCode is < 400 or >= 500 or 401 or 403 or 408 or 413 or 429 || withoutSession() is not { } fresh)
        {
            return response;
        }

        response.Dispose();
        return await SendAsync(target.Provider, bearer => UpstreamRequestFactory.CreateChat(target, uri ?? target.Provider.ChatUri, fresh, stream, call, bearer), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public Task<HttpResponseMessage> SendCountTokensAsync(RouteTarget target, ReadOnlyMemory<byte> body, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(target.Provider, bearer => UpstreamRequestFactory.CreateCountTokens(target, body, call, bearer), HttpCompletionOption.ResponseContentRead, cancellationToken);

    public Task<HttpResponseMessage> SendModelsAsync(Provider provider, Uri uri, UpstreamCallContext call, CancellationToken cancellationToken) =>
        SendAsync(provider, bearer => UpstreamRequestFactory.CreateModels(provider, uri, call, bearer), HttpCompletionOption.ResponseContentRead, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(Provider provider, Func<string?, HttpRequestMessage> create, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var client = _clients.CreateClient(provider.HttpClientName);
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
            if (tokens is null || !await TokenRejectedAsync(response, cancellationToken))
            {
                return response;
            }

            response.Dispose();
        }

        token = await tokens.GetAsync(provider, rejected: token, cancellationToken);
        using var retry = create(token);
        return await client.SendAsync(retry, completion, cancellationToken);
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
