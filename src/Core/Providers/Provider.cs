using Gateway.Configuration;

namespace Gateway.Providers;

/// <summary>A configured upstream with its settings resolved (URLs joined, defaults applied).</summary>
internal sealed class Provider
{
    public Provider(string id, ProviderOptions options)
    {
        Id = id;
        Options = options;
        HttpClientName = "gateway-provider:" + id;
        var baseUrl = options.BaseUrl!.TrimEnd('/');
        _chatTemplate = baseUrl + (options.ChatPath ?? DefaultChatPath(options.Kind));
        ChatUri = new Uri(_chatTemplate);
        CountTokensUri = options.Kind == ProviderKind.Anthropic ? new Uri(ChatUri.AbsoluteUri.TrimEnd('/') + "/count_tokens") : null;
        ResponsesUri = options.Kind == ProviderKind.OpenAI && !string.IsNullOrEmpty(options.ResponsesPath) ? new Uri(baseUrl + options.ResponsesPath) : null;
        var modelsPath = options.ModelsPath ?? DefaultModelsPath(options.Kind);
        ModelsUri = options.Models is null && !string.IsNullOrEmpty(modelsPath) ? new Uri(baseUrl + modelsPath) : null;
        Retryable = StatusCodeSet.TryParse(options.RetryableStatusCodes, out var retryable, out var error)
            ? retryable
            : throw new ArgumentException(error, nameof(options));
        FirstByteTimeout = TimeSpan.FromSeconds(options.FirstByteTimeoutSeconds);
        IdleTimeout = TimeSpan.FromSeconds(options.IdleTimeoutSeconds);
        ResponseTimeout = TimeSpan.FromSeconds(options.ResponseTimeoutSeconds);
        Thinking = options.Thinking != ThinkingMode.Default
            ? options.Thinking
            : options.Kind switch
            {
                ProviderKind.ChatSite => ThinkingMode.PromptTags,
                ProviderKind.Anthropic or ProviderKind.Gemini => ThinkingMode.Native,
                _ => ThinkingMode.Passthrough,
            };
        ThinkingStyle = options.ThinkingStyle == ThinkingStyle.Budget ? ThinkingStyle.Budget : ThinkingStyle.Adaptive;
        AuthMode = ResolveAuthMode(options);
        Concurrency = new ConcurrencyGate(options.MaxConcurrency);
    }

    private readonly string _chatTemplate;

    public string Id { get; }

    public ProviderOptions Options { get; }

    public ProviderKind Kind => Options.Kind;

    public Uri ChatUri { get; }

    /// <summary>
    /// Where a chat request for <paramref name="model"/> goes: <see cref="ChatUri"/>, except for Gemini, whose
    /// path names the model and the method (<c>:streamGenerateContent?alt=sse</c> or <c>:generateContent</c>).
    /// </summary>
    public Uri ChatUriFor(string model, bool stream) => Kind != ProviderKind.Gemini
        ? ChatUri
        : new Uri(ModelPath(_chatTemplate, model) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));

    /// <summary>Where a token count for <paramref name="model"/> goes: Anthropic's <c>count_tokens</c>, Gemini's <c>:countTokens</c>; null for other kinds.</summary>
    public Uri? CountTokensUriFor(string model) => Kind == ProviderKind.Gemini
        ? new Uri(ModelPath(_chatTemplate, model) + ":countTokens")
        : CountTokensUri;

    /// <summary>The upstream's own Responses API (<see cref="ProviderOptions.ResponsesPath"/>); null when it has none.</summary>
    public Uri? ResponsesUri { get; }

    /// <summary>Anthropic's token count (<c>{ChatPath}/count_tokens</c>); null for other kinds.</summary>
    public Uri? CountTokensUri { get; }

    /// <summary>Where the model list is fetched; null when the provider has a static list.</summary>
    public Uri? ModelsUri { get; }

    public StatusCodeSet Retryable { get; }

    public TimeSpan FirstByteTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan ResponseTimeout { get; }

    public ThinkingMode Thinking { get; }

    public ThinkingStyle ThinkingStyle { get; }

    public UpstreamAuthMode AuthMode { get; }

    public ConcurrencyGate Concurrency { get; }

    /// <summary>The value of <c>anthropic-beta</c> to send for the client's <paramref name="clientBeta"/>: the allowed names only.</summary>
    public string? AllowedBetas(string? clientBeta)
    {
        var allowed = Options.AnthropicBetas;
        if (clientBeta is null || allowed is null || allowed.Contains("*"))
        {
            return clientBeta;
        }

        var kept = clientBeta.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(beta => allowed.Contains(beta, StringComparer.OrdinalIgnoreCase));
        var value = string.Join(",", kept);
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// The upstream auth mode: as configured, else Managed for a chat site with a token URL, Static with an
    /// API key, None without one.
    /// </summary>
    public static UpstreamAuthMode ResolveAuthMode(ProviderOptions options) => options.UpstreamAuth.Mode switch
    {
        not UpstreamAuthMode.Default => options.UpstreamAuth.Mode,
        _ when options.Kind == ProviderKind.ChatSite && !string.IsNullOrEmpty(options.UpstreamAuth.TokenUrl) => UpstreamAuthMode.Managed,
        _ => string.IsNullOrEmpty(options.ApiKey) ? UpstreamAuthMode.None : UpstreamAuthMode.Static,
    };

    /// <summary>Name of this provider's client in <see cref="System.Net.Http.IHttpClientFactory"/>.</summary>
    public string HttpClientName { get; }

    private static string DefaultChatPath(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => "/messages",
        ProviderKind.Gemini => "/models/{model}",
        ProviderKind.ChatSite => "/v2/chats",
        _ => "/chat/completions",
    };

    // Gemini model ids are path segments ("gemini-2.5-pro"); an id given as "models/…" is not doubled.
    private static string ModelPath(string template, string model) =>
        template.Replace("{model}", Uri.EscapeDataString(model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model), StringComparison.Ordinal);

    private static string DefaultModelsPath(ProviderKind kind) => kind == ProviderKind.ChatSite ? string.Empty : "/models";
}
