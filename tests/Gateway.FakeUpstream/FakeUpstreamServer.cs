using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gateway.FakeUpstream;

/// <summary>
/// A scripted upstream on a real loopback port, in OpenAI's, Anthropic's and Gemini's routes. Chat requests
/// take the next queued script (or the route's default: <see cref="Default"/>, <see cref="AnthropicDefault"/>,
/// <see cref="GeminiDefault"/>); every request is recorded. <c>GET …/models</c> answers <see cref="Models"/> in
/// the shape the caller's auth header asks for.
/// </summary>
public sealed class FakeUpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Script> _scripts = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeUpstreamServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>OpenAI-style base URL (<c>{Root}/v1</c>).</summary>
    public string BaseUrl => Root.ToString().TrimEnd('/') + "/v1";

    /// <summary>Script used when the queue is empty.</summary>
    public Script Default { get; set; } = Scripts.Echo();

    /// <summary>Script for Anthropic's <c>POST …/messages</c> when the queue is empty.</summary>
    public Script AnthropicDefault { get; set; } = Scripts.AnthropicEcho();

    /// <summary>Script for Gemini's <c>POST …/models/{model}:streamGenerateContent</c> and <c>:generateContent</c> when the queue is empty.</summary>
    public Script GeminiDefault { get; set; } = GeminiEvents.Echo();

    /// <summary>Models per page of the Gemini-shaped model list (asked for with an <c>x-goog-api-key</c> header).</summary>
    public int GeminiModelsPageSize { get; set; } = 1000;

    /// <summary>The chat site behind <c>POST …/chats</c> (sessions, the token check).</summary>
    public ChatSite Site { get; } = new();

    /// <summary>Script for a chat site's <c>POST …/chats</c> when the queue is empty (the site's echo model unless set).</summary>
    public Script? ChatSiteDefault { get; set; }

    /// <summary>The answer of <c>POST …/messages/count_tokens</c> (and <c>totalTokens</c> of Gemini's <c>:countTokens</c>).</summary>
    public int CountTokensAnswer { get; set; } = 42;

    /// <summary>Models per page of the Anthropic-shaped model list (asked for with an <c>anthropic-version</c> header).</summary>
    public int AnthropicModelsPageSize { get; set; } = 1000;

    /// <summary>Ids served by <c>GET /v1/models</c>.</summary>
    public IReadOnlyList<string> Models { get; set; } = ["fake-model"];

    /// <summary>Status of <c>GET /v1/models</c> (to simulate a failing list).</summary>
    public int ModelsStatus { get; set; } = 200;

    /// <summary>When set, <c>GET /v1/models</c> answers this body instead of the list.</summary>
    public string? ModelsBody { get; set; }

    /// <summary>Chat requests received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Headers of the model-list requests received, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> ModelRequestHeaders { get; } = new();

    /// <summary>Model-list requests received.</summary>
    public int ModelListRequests => _modelListRequests;

    private int _modelListRequests;

    // Anthropic's list shape: {data:[{type,id,display_name,created_at}], has_more, first_id, last_id}, paged by after_id.
    private string AnthropicModelPage(string afterId)
    {
        var start = afterId.Length == 0 ? 0 : Models.ToList().IndexOf(afterId) + 1;
        var page = Models.Skip(start).Take(AnthropicModelsPageSize).ToList();
        var data = string.Join(",", page.Select(m => $$"""{"type":"model","id":"{{m}}","display_name":"{{m}}","created_at":"2025-01-01T00:00:00Z"}"""));
        var more = start + page.Count < Models.Count ? "true" : "false";
        var first = page.Count > 0 ? "\"" + page[0] + "\"" : "null";
        var last = page.Count > 0 ? "\"" + page[^1] + "\"" : "null";
        return $$"""{"data":[{{data}}],"has_more":{{more}},"first_id":{{first}},"last_id":{{last}}}""";
    }

    // Gemini's list shape: {models:[{name:"models/…",supportedGenerationMethods}], nextPageToken}, paged by pageToken
    // (the token is the index of the page's first model); an embedding model that chat must not list is included.
    private string GeminiModelPage(string pageToken)
    {
        var all = Models.Select(m => (Name: m, Methods: "\"generateContent\",\"countTokens\"")).Append((Name: "text-embedding-fake", Methods: "\"embedContent\"")).ToList();
        var start = int.TryParse(pageToken, out var at) ? at : 0;
        var page = all.Skip(start).Take(GeminiModelsPageSize).ToList();
        var models = string.Join(",", page.Select(m => $$"""{"name":"models/{{m.Name}}","displayName":"{{m.Name}}","supportedGenerationMethods":[{{m.Methods}}]}"""));
        var next = start + page.Count < all.Count ? $$""","nextPageToken":"{{start + page.Count}}" """ : string.Empty;
        return $$"""{"models":[{{models}}]{{next}}}""";
    }

    public void Enqueue(params Script[] scripts)
    {
        foreach (var script in scripts)
        {
            _scripts.Enqueue(script);
        }
    }

    public static async Task<FakeUpstreamServer> StartAsync(string url = "http://127.0.0.1:0", bool quiet = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        if (quiet)
        {
            builder.Logging.ClearProviders();
        }

        var app = builder.Build();
        var server = new FakeUpstreamServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Root = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2));
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _modelListRequests);
            context.Response.StatusCode = ModelsStatus;
            context.Response.ContentType = "application/json";
            ModelRequestHeaders.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            if (context.Request.Headers.ContainsKey("x-goog-api-key") && ModelsBody is null)
            {
                await context.Response.WriteAsync(GeminiModelPage(context.Request.Query["pageToken"].ToString()));
                return;
            }

            if (context.Request.Headers.ContainsKey("anthropic-version") && ModelsBody is null)
            {
                await context.Response.WriteAsync(AnthropicModelPage(context.Request.Query["after_id"].ToString()));
                return;
            }

            var data = string.Join(",", Models.Select(m => $$"""{"id":"{{m}}","object":"model","created":0,"owned_by":"fake-org"}"""));
            await context.Response.WriteAsync(ModelsBody ?? $$"""{"object":"list","data":[{{data}}]}""");
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new RecordedRequest
        {
            Method = context.Request.Method,
            Path = context.Request.Path + context.Request.QueryString,
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body.ToArray(),
        };
        _requests.Enqueue(request);
        using var registration = context.RequestAborted.Register(request.MarkAborted);
        var path = context.Request.Path.Value ?? string.Empty;
        if (path.EndsWith("/messages/count_tokens", StringComparison.Ordinal) && _scripts.IsEmpty)
        {
            await Scripts.Json($$"""{"input_tokens":{{CountTokensAnswer}}}""")(context, request);
            request.MarkFinished();
            return;
        }

        if (path.EndsWith(":countTokens", StringComparison.Ordinal) && _scripts.IsEmpty)
        {
            await Scripts.Json($$"""{"totalTokens":{{CountTokensAnswer}}}""")(context, request);
            request.MarkFinished();
            return;
        }

        var gemini = path.EndsWith(":streamGenerateContent", StringComparison.Ordinal) || path.EndsWith(":generateContent", StringComparison.Ordinal);
        var script = _scripts.TryDequeue(out var next) ? next
            : path.EndsWith("/messages", StringComparison.Ordinal) ? AnthropicDefault
            : gemini ? GeminiDefault
            : path.EndsWith("/chats", StringComparison.Ordinal) ? ChatSiteDefault ?? Site.Echo()
            : Default;
        try
        {
            await script(context, request);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The gateway went away; that is what some tests wait for.
        }
        finally
        {
            request.MarkFinished();
        }
    }
}
