using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

// The bench's floor: a bare byte relay in front of the same fake upstream the gateway calls. Every request,
// whatever its path, is forwarded with YARP's IHttpForwarder to --upstream: the request and response bodies
// are copied as bytes (the response flushed as it arrives, so SSE events are not held back), headers are
// copied as YARP does by default, and nothing is parsed, logged or rewritten. See bench/README.md.
//   dotnet bench/Gateway.Relay/bin/Release/net10.0/Gateway.Relay.dll --urls http://127.0.0.1:9200 --upstream http://127.0.0.1:9100
string? upstream = null;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--upstream" && i + 1 < args.Length)
    {
        upstream = args[++i];
    }
    else
    {
        rest.Add(args[i]);
    }
}

if (upstream is null || !Uri.TryCreate(upstream, UriKind.Absolute, out _))
{
    await Console.Error.WriteLineAsync("usage: Gateway.Relay --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:PORT");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder([.. rest]);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // As the gateway's Server: no body size limit, no Server header.
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.AddServerHeader = false;
});
builder.Services.AddHttpForwarder();
var app = builder.Build();

// One pooled handler for the process, set up as YARP's documentation recommends for IHttpForwarder (and as the
// gateway sets up its upstream handler): no proxy, redirects, cookies or decompression, no trace headers added.
using var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    ConnectTimeout = TimeSpan.FromSeconds(15),
    MaxConnectionsPerServer = int.MaxValue,
});
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
app.Map("/{**path}", async context =>
{
    // A failed forward has already been answered (502, 504) by the forwarder; wrk and the bench count those.
    _ = await forwarder.SendAsync(context, upstream, client, config, HttpTransformer.Empty);
});
await app.RunAsync();
return 0;
