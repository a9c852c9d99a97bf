using System.Buffers;

namespace Gateway.Configuration;

/// <summary>Checks bound options; each problem starts with the configuration key it concerns.</summary>
internal static class GatewayOptionsValidator
{
    private const string Root = GatewayOptions.SectionName;

    public static List<string> Validate(GatewayOptions options, GatewayHostKind host)
    {
        var problems = new List<string>();
        ValidateState(options.State, host, problems);
        ValidateAuth(options.Auth, problems);
        ValidateProviders(options, problems);
        ValidateModels(options, problems);

        Require(problems, options.Routing.MaxAttempts >= 1, $"{Root}:Routing:MaxAttempts", "must be at least 1");
        Require(problems, options.Routing.MaxFailoverSeconds > 0, $"{Root}:Routing:MaxFailoverSeconds", "must be greater than 0");
        Require(problems, options.Limits.MaxRequestBytes > 0, $"{Root}:Limits:MaxRequestBytes", "must be greater than 0");
        Require(problems, options.Limits.RequestsPerSecond >= 0, $"{Root}:Limits:RequestsPerSecond", "must be 0 (off) or more");
        Require(problems, options.Limits.Burst >= 1, $"{Root}:Limits:Burst", "must be at least 1");
        Require(problems, options.Streaming.KeepAliveSeconds > 0, $"{Root}:Streaming:KeepAliveSeconds", "must be greater than 0");
        Require(problems, options.Streaming.CommitAfterSeconds > 0, $"{Root}:Streaming:CommitAfterSeconds", "must be greater than 0");
        Require(problems, options.Streaming.ShutdownGraceSeconds >= 0, $"{Root}:Streaming:ShutdownGraceSeconds", "must be 0 or more");

        for (var i = 0; i < options.Cors.AllowedOrigins.Count; i++)
        {
            var origin = options.Cors.AllowedOrigins[i];
            var valid = origin == "*"
                || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    && uri.AbsolutePath == "/" && !origin.EndsWith('/'));
            Require(problems, valid, $"{Root}:Cors:AllowedOrigins:{i}", "must be an origin such as https://app.example (no path) or *");
        }

        return problems;
    }

    private static void ValidateAuth(AuthOptions auth, List<string> problems)
    {
        const string key = Root + ":Auth";
        switch (auth.Mode)
        {
            case AuthMode.Unset:
                problems.Add($"{key}:Mode: required; set Bearer (with Keys) or None explicitly");
                break;
            case AuthMode.Bearer:
                Require(problems, auth.Keys.Count > 0, $"{key}:Keys", "Bearer mode needs at least one key");
                break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in auth.Keys)
        {
            Require(problems, !string.IsNullOrWhiteSpace(value), $"{key}:Keys:{name}", "must not be empty");
            Require(problems, string.IsNullOrEmpty(value) || seen.Add(value), $"{key}:Keys:{name}", "duplicates another key");
            Require(problems, string.IsNullOrEmpty(value) || value != auth.AdminKey, $"{key}:Keys:{name}", "must differ from AdminKey");
        }

        Require(problems, auth.AdminKey is null || auth.AdminKey.Trim().Length > 0, $"{key}:AdminKey", "must not be blank");
    }

    private static void ValidateProviders(GatewayOptions options, List<string> problems)
    {
        if (options.Providers.Count == 0)
        {
            problems.Add($"{Root}:Providers: at least one provider is required");
        }

        foreach (var (id, provider) in options.Providers)
        {
            var key = $"{Root}:Providers:{id}";
            switch (provider.Kind)
            {
                case ProviderKind.Unset:
                    problems.Add($"{key}:Kind: required (OpenAI, Anthropic, Gemini or ChatSite)");
                    break;
                case ProviderKind.OpenAI or ProviderKind.Anthropic or ProviderKind.Gemini:
                    break;
                case ProviderKind.ChatSite:
                    ValidateChatSite(provider.ChatSite, $"{key}:ChatSite", problems);
                    break;
                default:
                    problems.Add($"{key}:Kind: '{provider.Kind}' is not supported by this version yet (supported: OpenAI, Anthropic, Gemini, ChatSite)");
                    break;
            }

            Require(problems, IsHttpUrl(provider.BaseUrl), $"{key}:BaseUrl", "must be an absolute http or https URL");
            // The value is never quoted: it may hold proxy credentials.
            Require(problems, provider.Proxy is null || Providers.ProviderProxy.TryParse(provider.Proxy, out _, out _), $"{key}:Proxy", "must be http://host:port or socks5://host:port (optionally user:password@), without a path");
            Require(problems, provider.ChatPath is null || provider.ChatPath.StartsWith('/'), $"{key}:ChatPath", "must start with /");
            Require(problems, provider.ChatPath is null || provider.Kind != ProviderKind.Gemini || (provider.ChatPath.Contains("{model}", StringComparison.Ordinal) && !provider.ChatPath.Contains(':', StringComparison.Ordinal)), $"{key}:ChatPath", "for Gemini-kind providers must hold {model} and no method (the gateway appends :streamGenerateContent, :generateContent or :countTokens)");
            Require(problems, provider.ResponsesPath is null || (provider.ResponsesPath.StartsWith('/') && provider.Kind == ProviderKind.OpenAI), $"{key}:ResponsesPath", "must start with / and is for OpenAI-kind providers only");
            Require(problems, provider.ModelsPath is null || provider.ModelsPath.Length == 0 || provider.ModelsPath.StartsWith('/'), $"{key}:ModelsPath", "must start with /");
            Require(problems, provider.Weight >= 0 && double.IsFinite(provider.Weight), $"{key}:Weight", "must be 0 or more");
            Require(problems, provider.FirstByteTimeoutSeconds > 0, $"{key}:FirstByteTimeoutSeconds", "must be greater than 0");
            Require(problems, provider.IdleTimeoutSeconds > 0, $"{key}:IdleTimeoutSeconds", "must be greater than 0");
            Require(problems, provider.ResponseTimeoutSeconds > 0, $"{key}:ResponseTimeoutSeconds", "must be greater than 0");
            Require(problems, provider.MaxConcurrency >= 1, $"{key}:MaxConcurrency", "must be at least 1");
            Require(problems, provider.DefaultMaxTokens >= 1, $"{key}:DefaultMaxTokens", "must be at least 1");
            Require(problems, !string.IsNullOrWhiteSpace(provider.AnthropicVersion) && provider.AnthropicVersion.IndexOfAny(['\r', '\n', '\0']) < 0, $"{key}:AnthropicVersion", "must be a header value such as 2023-06-01");
            for (var i = 0; i < (provider.AnthropicBetas?.Count ?? 0); i++)
            {
                Require(problems, !string.IsNullOrWhiteSpace(provider.AnthropicBetas![i]) && provider.AnthropicBetas![i].IndexOfAny([',', '\r', '\n', '\0']) < 0, $"{key}:AnthropicBetas:{i}", "must be one beta name (or *)");
            }
            if (!StatusCodeSet.TryParse(provider.RetryableStatusCodes, out _, out var statusError))
            {
                problems.Add($"{key}:RetryableStatusCodes: {statusError}");
            }

            switch (Providers.Provider.ResolveAuthMode(provider))
            {
                case UpstreamAuthMode.Static:
                    Require(problems, !string.IsNullOrWhiteSpace(provider.ApiKey), $"{key}:ApiKey", "required by UpstreamAuth Static");
                    break;
                case UpstreamAuthMode.PassThrough:
                    Require(problems, options.Auth.Mode == AuthMode.None, $"{key}:UpstreamAuth:Mode", "PassThrough is only valid with Gateway:Auth:Mode None");
                    break;
                case UpstreamAuthMode.Managed:
                    ValidateManaged(provider.UpstreamAuth, $"{key}:UpstreamAuth", problems);
                    break;
                case UpstreamAuthMode.AzureAD:
                    Require(problems, provider.UpstreamAuth.Scope is null || provider.UpstreamAuth.Scope.Trim().Length > 0, $"{key}:UpstreamAuth:Scope", "must not be blank");
                    Require(problems, provider.UpstreamAuth.SkewSeconds >= 0, $"{key}:UpstreamAuth:SkewSeconds", "must be 0 or more");
                    break;
            }

            if (provider.UpstreamAuth.Mode != UpstreamAuthMode.AzureAD)
            {
                Require(problems, provider.UpstreamAuth.Scope is null, $"{key}:UpstreamAuth:Scope", "is only used with Mode AzureAD");
                Require(problems, provider.UpstreamAuth.ManagedIdentityClientId is null, $"{key}:UpstreamAuth:ManagedIdentityClientId", "is only used with Mode AzureAD");
            }

            foreach (var (name, value) in provider.Headers)
            {
                Require(problems, IsHeaderName(name), $"{key}:Headers:{name}", "is not a valid header name");
                Require(problems, !ReservedHeaders.Contains(name), $"{key}:Headers:{name}", "is set by the gateway and cannot be configured");
                Require(problems, value.IndexOfAny(['\r', '\n', '\0']) < 0, $"{key}:Headers:{name}", "must not contain line breaks");
            }

            if (provider.Models is not null)
            {
                for (var i = 0; i < provider.Models.Count; i++)
                {
                    Require(problems, !string.IsNullOrWhiteSpace(provider.Models[i]), $"{key}:Models:{i}", "must not be empty");
                }
            }
        }
    }

    private static void ValidateChatSite(ChatSiteOptions site, string key, List<string> problems)
    {
        Require(problems, !string.IsNullOrWhiteSpace(site.AgentSlug), $"{key}:AgentSlug", "must not be empty");
        Require(problems, !string.IsNullOrWhiteSpace(site.Locale), $"{key}:Locale", "must not be empty");
        Require(problems, site.QueryBudgetChars >= 1000, $"{key}:QueryBudgetChars", "must be at least 1000");
        Require(problems, site.ToolResultMaxChars >= 100, $"{key}:ToolResultMaxChars", "must be at least 100");
        Require(problems, site.ToolReminderTurns >= 1, $"{key}:ToolReminderTurns", "must be at least 1");
    }

    private static void ValidateModels(GatewayOptions options, List<string> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"{Root}:Models:{i}";
            if (string.IsNullOrWhiteSpace(model.Id))
            {
                problems.Add($"{key}:Id: required");
            }
            else if (!ids.Add(model.Id))
            {
                problems.Add($"{key}:Id: '{model.Id}' is listed twice");
            }

            Require(problems, model.Targets.Count > 0, $"{key}:Targets", "at least one target is required");
            for (var t = 0; t < model.Targets.Count; t++)
            {
                var target = model.Targets[t];
                var targetKey = $"{key}:Targets:{t}";
                if (string.IsNullOrWhiteSpace(target.Provider))
                {
                    problems.Add($"{targetKey}:Provider: required");
                }
                else if (!options.Providers.ContainsKey(target.Provider))
                {
                    problems.Add($"{targetKey}:Provider: '{target.Provider}' is not a configured provider");
                }

                Require(problems, target.Model is null || target.Model.Trim().Length > 0, $"{targetKey}:Model", "must not be blank");
                Require(problems, target.Weight is null || (target.Weight >= 0 && double.IsFinite(target.Weight.Value)), $"{targetKey}:Weight", "must be 0 or more");
                Require(problems, target.Channel is null || target.Channel.IndexOfAny(['\r', '\n', '\0']) < 0, $"{targetKey}:Channel", "must not contain line breaks");
            }
        }
    }

    private static void ValidateManaged(UpstreamAuthOptions auth, string key, List<string> problems)
    {
        Require(problems, IsHttpUrl(auth.TokenUrl), $"{key}:TokenUrl", "Managed mode needs an absolute http or https URL");
        Require(problems, auth.Method is "GET" or "POST" or "PUT" || string.Equals(auth.Method, "get", StringComparison.OrdinalIgnoreCase) || string.Equals(auth.Method, "post", StringComparison.OrdinalIgnoreCase), $"{key}:Method", "must be GET or POST");
        Require(problems, !string.IsNullOrWhiteSpace(auth.TokenPath), $"{key}:TokenPath", "must not be empty");
        Require(problems, auth.SkewSeconds >= 0, $"{key}:SkewSeconds", "must be 0 or more");
        foreach (var (name, value) in auth.Headers)
        {
            Require(problems, IsHeaderName(name), $"{key}:Headers:{name}", "is not a valid header name");
            Require(problems, value.IndexOfAny(['\r', '\n', '\0']) < 0, $"{key}:Headers:{name}", "must not contain line breaks");
        }
    }

    private static void ValidateState(StateOptions state, GatewayHostKind host, List<string> problems)
    {
        const string key = Root + ":State";
        if (!string.IsNullOrWhiteSpace(state.ConnectionString) && !string.IsNullOrWhiteSpace(state.TableEndpoint))
        {
            problems.Add($"{key}: set ConnectionString or TableEndpoint, not both");
        }

        if (host == GatewayHostKind.Functions && !state.UsesTableStorage)
        {
            problems.Add($"{key}: required under Azure Functions (instances do not share memory): set ConnectionString or TableEndpoint");
        }

        Require(problems, state.TableEndpoint is null || IsHttpUrl(state.TableEndpoint), $"{key}:TableEndpoint", "must be an absolute http or https URL");
        Require(problems, state.ManagedIdentityClientId is null || !string.IsNullOrWhiteSpace(state.TableEndpoint), $"{key}:ManagedIdentityClientId", "is only used with TableEndpoint");
        Require(problems, IsTablePrefix(state.TablePrefix), $"{key}:TablePrefix", "must match ^[A-Za-z][A-Za-z0-9]{0,50}$");
        Require(problems, state.SessionTtlMinutes > 0, $"{key}:SessionTtlMinutes", "must be greater than 0");
        Require(problems, state.ReloadSeconds > 0, $"{key}:ReloadSeconds", "must be greater than 0");
        if (!Cronos.CronExpression.TryParse(state.RefreshSchedule, Cronos.CronFormat.IncludeSeconds, out _))
        {
            problems.Add($"{key}:RefreshSchedule: '{state.RefreshSchedule}' is not a 6-field cron expression (seconds minutes hours day month weekday)");
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void Require(List<string> problems, bool condition, string key, string message)
    {
        if (!condition)
        {
            problems.Add($"{key}: {message}");
        }
    }

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Upgrade", "Keep-Alive",
        "TE", "Trailer", "Proxy-Connection", "x-request-id", "traceparent", "X-Channel",
    };

    // ^[A-Za-z][A-Za-z0-9]{0,50}$ and the header-name token as scans: no regex engine is loaded at start-up for them.
    private static readonly SearchValues<char> LettersAndDigits = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    private static bool IsTablePrefix(string value) =>
        value.Length is > 0 and <= 51 && char.IsAsciiLetter(value[0]) && !value.AsSpan(1).ContainsAnyExcept(LettersAndDigits);

    private static readonly SearchValues<char> TokenChars = SearchValues.Create("!#$%&'*+.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");

    private static bool IsHeaderName(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExcept(TokenChars);
}
