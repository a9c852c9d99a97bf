using Gateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gateway.Endpoints;

/// <summary>
/// CORS for <c>Cors.AllowedOrigins</c> only (default none). Preflight <c>OPTIONS</c> is answered before
/// authentication, since browsers send it without credentials.
/// </summary>
internal sealed class CorsPolicy
{
    private const string AllowedHeaders = "Authorization, Content-Type, X-Api-Key, x-request-id, traceparent, X-Session-Id, anthropic-version, anthropic-beta";
    private readonly HashSet<string> _origins;
    private readonly bool _any;

    public CorsPolicy(GatewayOptions options)
    {
        _origins = new HashSet<string>(options.Cors.AllowedOrigins, StringComparer.OrdinalIgnoreCase);
        _any = _origins.Contains("*");
    }

    /// <summary>
    /// Adds CORS headers for an allowed origin; true when the request was a preflight and is answered
    /// (only when <paramref name="answerPreflight"/>: the route accepts <c>OPTIONS</c>).
    /// </summary>
    public bool Apply(HttpContext http, bool answerPreflight)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var allowed = origin.Length > 0 && (_any || _origins.Contains(origin));
        var response = http.Response;
        if (allowed)
        {
            response.Headers.AccessControlAllowOrigin = _any ? "*" : origin;
            response.Headers.Vary = "Origin";
            response.Headers.AccessControlExposeHeaders = "x-request-id, Retry-After";
        }

        if (!answerPreflight || !HttpMethods.IsOptions(http.Request.Method))
        {
            return false;
        }

        if (allowed)
        {
            response.Headers.AccessControlAllowMethods = "GET, POST, PUT, DELETE, OPTIONS";
            response.Headers.AccessControlAllowHeaders = AllowedHeaders;
            response.Headers.AccessControlMaxAge = "600";
        }

        response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }
}
