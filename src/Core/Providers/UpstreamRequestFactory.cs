using System.Net.Http.Headers;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Providers;

/// <summary>
/// Builds upstream requests from configuration only (SPEC §4 Headers): Content-Type, Accept, the
/// upstream auth, the provider's Headers, x-request-id, traceparent and X-Channel. Nothing of the
/// client's request is copied (no Authorization, Cookie, Host, X-Forwarded-*, hop-by-hop headers).
/// </summary>
internal static class UpstreamRequestFactory
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    public static HttpRequestMessage CreateChat(RouteTarget target, ReadOnlyMemory<byte> body, bool stream, UpstreamCallContext call, string? managedToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target.Provider.ChatUri)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.Accept.Add(stream ? EventStream : Json);
        ApplyCommon(request, target.Provider, call, managedToken);
        if (target.Channel is { } channel)
        {
            request.Headers.TryAddWithoutValidation("X-Channel", channel);
        }

        return request;
    }

    public static HttpRequestMessage CreateModels(Provider provider, UpstreamCallContext call, string? managedToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, provider.ModelsUri);
        request.Headers.Accept.Add(Json);
        ApplyCommon(request, provider, call, managedToken);
        return request;
    }

    private static void ApplyCommon(HttpRequestMessage request, Provider provider, UpstreamCallContext call, string? managedToken)
    {
        switch (provider.AuthMode)
        {
            case UpstreamAuthMode.Managed when managedToken is not null:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", managedToken);
                break;
            case UpstreamAuthMode.Static:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.Options.ApiKey);
                break;
            case UpstreamAuthMode.PassThrough when call.ClientBearer is { Length: > 0 } bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                break;
        }

        foreach (var (name, value) in provider.Options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("x-request-id", call.RequestId);
        request.Headers.TryAddWithoutValidation("traceparent", call.TraceParent);
    }
}
