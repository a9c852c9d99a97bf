using Gateway.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /manage/ui</c> and its script, style sheet and icon: static files embedded in Core, so both hosts serve
/// the same page with no build step and nothing from another origin. The page carries no data; it asks for
/// the admin key, keeps it in session storage and sends it as a header with each admin call, never in a URL.
/// </summary>
internal sealed class AdminPageEndpoint
{
    /// <summary>Only this origin: no inline script or style, no other host, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly Asset _page = Asset.Load("admin.html", "text/html; charset=utf-8");
    private readonly Asset _script = Asset.Load("admin.js", "text/javascript; charset=utf-8");
    private readonly Asset _style = Asset.Load("admin.css", "text/css; charset=utf-8");
    private readonly Asset _icon = Asset.Load("icon.svg", "image/svg+xml");

    public async Task HandleAsync(RequestExchange exchange, GatewayRoute route)
    {
        var asset = route == GatewayRouteTable.ManageUiScript ? _script
            : route == GatewayRouteTable.ManageUiStyle ? _style
            : route == GatewayRouteTable.ManageUiIcon ? _icon
            : _page;
        var response = exchange.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        if (!HttpMethods.IsHead(exchange.Http.Request.Method))
        {
            await response.Body.WriteAsync(asset.Bytes, exchange.Aborted);
        }
    }

    private sealed record Asset(byte[] Bytes, string ContentType)
    {
        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(AdminPageEndpoint).Assembly.GetManifestResourceStream("Gateway.Admin.Page." + name)
                ?? throw new InvalidOperationException($"The admin page's {name} is not embedded in Gateway.Core.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return new Asset(copy.ToArray(), contentType);
        }
    }
}
