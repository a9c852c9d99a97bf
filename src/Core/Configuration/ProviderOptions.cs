namespace Gateway.Configuration;

/// <summary>One upstream provider (SPEC §3 <c>Providers</c>).</summary>
public sealed record ProviderOptions
{
    /// <summary>The wire format. Required.</summary>
    public ProviderKind Kind { get; set; }

    /// <summary>Absolute http(s) URL; the paths below are appended to it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Chat path. Kind default (<c>/chat/completions</c> for OpenAI).</summary>
    public string? ChatPath { get; set; }

    /// <summary>Model-list path. Kind default (<c>/models</c> for OpenAI); unused when <see cref="Models"/> is set.</summary>
    public string? ModelsPath { get; set; }

    /// <summary>
    /// OpenAI kind: the upstream serves the Responses API at this path (e.g. <c>/responses</c>, OpenAI's own).
    /// Responses clients then pass through as bytes (and <c>/v1/responses/compact</c> goes to
    /// <c>{ResponsesPath}/compact</c>); without it their requests are translated to Chat Completions.
    /// </summary>
    public string? ResponsesPath { get; set; }

    /// <summary>ChatSite kind: the body's fixed fields and the query budgets.</summary>
    public ChatSiteOptions ChatSite { get; set; } = new();

    /// <summary>Upstream key for <see cref="UpstreamAuthMode.Static"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Upstream authentication.</summary>
    public UpstreamAuthOptions UpstreamAuth { get; set; } = new();

    /// <summary>
    /// Egress proxy for this provider only: <c>http://host:port</c> or <c>socks5://host:port</c>, with
    /// optional <c>user:password@</c> (masked wherever the provider is shown or logged). Unset: the
    /// standard <c>HTTPS_PROXY</c>/<c>HTTP_PROXY</c>/<c>NO_PROXY</c> variables apply.
    /// </summary>
    public string? Proxy { get; set; }

    /// <summary>Extra headers sent on every upstream request.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <summary>Static model list; when absent the list is fetched from <see cref="ModelsPath"/>.</summary>
    public IReadOnlyList<string>? Models { get; set; }

    /// <summary>Default weight of this provider's targets. Default 1.</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>Statuses that fail over, e.g. <c>408,429,500,502-504</c> (the default).</summary>
    public string RetryableStatusCodes { get; set; } = "408,429,500,502-504";

    /// <summary>Seconds until the first content of a response. Default 120.</summary>
    public double FirstByteTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds of upstream silence tolerated once streaming. Default 120.</summary>
    public double IdleTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds for a whole non-stream request. Default 600.</summary>
    public double ResponseTimeoutSeconds { get; set; } = 600;

    /// <summary>Requests in flight to this provider at most; more are routed elsewhere. Default 256.</summary>
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>Whether to send <c>stream_options</c> upstream. Default true.</summary>
    public bool StreamOptions { get; set; } = true;

    /// <summary>Thinking handling; kind default when unset.</summary>
    public ThinkingMode Thinking { get; set; }

    /// <summary>How an Anthropic target is asked to think: adaptive with an effort (default) or a token budget.</summary>
    public ThinkingStyle ThinkingStyle { get; set; }

    /// <summary>Anthropic: the <c>anthropic-version</c> sent when the client sent none. Default <c>2023-06-01</c>.</summary>
    public string AnthropicVersion { get; set; } = "2023-06-01";

    /// <summary>
    /// Anthropic: which of the client's <c>anthropic-beta</c> values are forwarded. Unset: all of them; a list:
    /// only those names (<c>*</c> for all; a name no beta has, such as <c>none</c>, forwards none).
    /// </summary>
    public IReadOnlyList<string>? AnthropicBetas { get; set; }

    /// <summary>Anthropic: <c>max_tokens</c> when the client sent none (Anthropic requires it). Default 4096.</summary>
    public int DefaultMaxTokens { get; set; } = 4096;

    /// <summary>
    /// Anthropic, for clients of other formats: put prompt-cache breakpoints on the system text and the
    /// tools when the client placed none (OpenAI clients get caching without asking). Default true.
    /// </summary>
    public bool AutoCacheBreakpoints { get; set; } = true;
}
