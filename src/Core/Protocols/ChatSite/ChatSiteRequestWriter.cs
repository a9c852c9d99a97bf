using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Tools;

namespace Gateway.Protocols.ChatSite;

/// <summary>
/// A chat site's request: <c>{request:{agent_slug, model_slug, locale, modes, query}, messages, stream,
/// session_id, exchange_id, max_tokens}</c>, the fixed fields from the provider's <c>ChatSite</c> settings,
/// the query from <see cref="ChatSiteQuery"/>, the site session of the request's session when there is one.
/// One per attempt: a site that no longer knows the session gets the same turn once more, without it.
/// </summary>
internal sealed class ChatSiteRequestWriter : IUpstreamRequestWriter
{
    private readonly ToolProtocol? _tools;
    private readonly SiteSessionUse _use;
    private bool _withoutSession;

    public ChatSiteRequestWriter(ToolProtocol? tools, SiteSessionUse use)
    {
        _tools = tools;
        _use = use;
    }

    public ReadOnlyMemory<byte> Write(ChatRequest request, RouteTarget target, bool stream)
    {
        var conversation = request.Conversation ?? throw new InvalidOperationException("A chat-site request needs the neutral conversation.");
        var site = target.Provider.Options.ChatSite;
        var session = _withoutSession ? null : _use.Continued;
        request.AnsweredSiteSession = null;
        var thinking = target.Provider.Thinking == ThinkingMode.PromptTags ? ThinkingBudget(request, conversation) : null;
        var query = ChatSiteQuery.Build(conversation, session, _tools, session is not null && _use.ToolsKnown, site, thinking);

        using var buffer = new MemoryStream();
        // Relaxed escaping: the query is mostly prose, quotes and angle brackets, sent as JSON to an API (never HTML).
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("request");
            w.WriteString("agent_slug", site.AgentSlug);
            w.WriteString("model_slug", target.Model);
            w.WriteString("locale", site.Locale);
            w.WriteStartObject("modes");
            foreach (var (mode, on) in site.Modes)
            {
                w.WriteBoolean(mode, on);
            }

            w.WriteEndObject();
            w.WriteString("query", query);
            w.WriteEndObject();
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", query);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteBoolean("stream", stream);
            if (session?.SessionId is { } sessionId)
            {
                w.WriteString("session_id", sessionId);
            }

            if (session?.ExchangeId is { } exchangeId)
            {
                w.WriteString("exchange_id", exchangeId);
            }

            if (conversation.MaxTokens is { } maxTokens)
            {
                w.WriteNumber("max_tokens", maxTokens);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public ReadOnlyMemory<byte>? WithoutSession(ChatRequest request, RouteTarget target, bool stream)
    {
        if (_withoutSession || _use.Continued is null)
        {
            return null;
        }

        _withoutSession = true;
        return Write(request, target, stream);
    }

    // PromptTags: a budget the client gave (or one its effort stands for, when it asked for reasoning).
    private static int? ThinkingBudget(ChatRequest request, Conversation conversation) =>
        request.ThinkingBudget ?? (conversation.Reasoning is { Explicit: true } reasoning ? reasoning.BudgetOrFromEffort : null);
}
