using System.Net.Http.Headers;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Builds upstream requests from configuration only (SPEC §4 Headers): Content-Type, Accept, the
/// upstream auth in the kind's style (Bearer, <c>x-api-key</c> for Anthropic, <c>x-goog-api-key</c> for Gemini), the provider's Headers,
/// x-request-id, traceparent and X-Channel, and for the Anthropic kind <c>anthropic-version</c> (the
/// client's, else the provider's) and the allowed <c>anthropic-beta</c> values. Nothing else of the
/// client's request is copied (no Authorization, Cookie, Host, X-Forwarded-*, hop-by-hop headers).
/// </summary>
internal static class UpstreamRequestFactory
{
    // Content-Type and Accept go in as the strings they are on the wire: the typed header values were
    // formatted anew for every request (an allocation and a ToString each, in the profile), to the same text.
    private const string EventStream = "text/event-stream";
    private const string Json = "application/json";
    private const string JsonContentType = "application/json; charset=utf-8";

    public static HttpRequestMessage CreateChat(RouteTarget target, Uri uri, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, string? bearerToken) =>
        CreatePost(target, uri, body, stream, call, bearerToken);

    /// <summary>Anthropic's <c>count_tokens</c> call, or Gemini's <c>:countTokens</c>.</summary>
    public static HttpRequestMessage CreateCountTokens(RouteTarget target, ReadOnlyMemory<byte> body, UpstreamCallContext call, string? bearerToken) =>
        CreatePost(target, target.Provider.CountTokensUriFor(target.Model)!, body, stream: false, call, bearerToken);

    private static HttpRequestMessage CreatePost(RouteTarget target, Uri uri, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, string? bearerToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", JsonContentType);
        request.Headers.TryAddWithoutValidation("Accept", stream ? EventStream : Json);
        ApplyCommon(request, target.Provider, call, bearerToken);
        if (target.Channel is { } channel)
        {
            request.Headers.TryAddWithoutValidation("X-Channel", channel);
        }

        return request;
    }

    public static HttpRequestMessage CreateModels(Provider provider, Uri uri, UpstreamCallContext call, string? bearerToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept", Json);
        ApplyCommon(request, provider, call, bearerToken);
        return request;
    }

    private static void ApplyCommon(HttpRequestMessage request, Provider provider, UpstreamCallContext call, string? bearerToken)
    {
        var anthropic = provider.Kind == ProviderKind.Anthropic;
        var gemini = provider.Kind == ProviderKind.Gemini;
        switch (provider.AuthMode)
        {
            case UpstreamAuthMode.Managed or UpstreamAuthMode.AzureAD when bearerToken is not null:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
                break;
            case UpstreamAuthMode.Static when anthropic:
                request.Headers.TryAddWithoutValidation("x-api-key", provider.Options.ApiKey);
                break;
            case UpstreamAuthMode.Static when gemini:
                request.Headers.TryAddWithoutValidation("x-goog-api-key", provider.Options.ApiKey);
                break;
            case UpstreamAuthMode.Static:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.Options.ApiKey);
                break;
            case UpstreamAuthMode.PassThrough when call.ClientBearer is { Length: > 0 } key && anthropic:
                request.Headers.TryAddWithoutValidation("x-api-key", key);
                break;
            case UpstreamAuthMode.PassThrough when call.ClientBearer is { Length: > 0 } key && gemini:
                request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
                break;
            case UpstreamAuthMode.PassThrough when call.ClientBearer is { Length: > 0 } bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                break;
        }

        if (anthropic)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", call.AnthropicVersion ?? provider.Options.AnthropicVersion);
            if (provider.AllowedBetas(call.AnthropicBeta) is { } beta)
            {
                request.Headers.TryAddWithoutValidation("anthropic-beta", beta);
            }
        }

        foreach (var (name, value) in provider.Options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("x-request-id", call.RequestId);
        request.Headers.TryAddWithoutValidation("traceparent", Diagnostics.GatewayTracing.UpstreamTraceParent(call.TraceParent));
    }
}
