using Gateway.Json;

namespace Gateway.Chat;

/// <summary>
/// An inbound chat request: the client's raw body (indexed, so a same-format target gets its members
/// byte for byte), the facts routing and the codecs need, and — only when some target speaks another
/// format — the neutral <see cref="Conversation"/> read from it.
/// </summary>
internal sealed class ChatRequest
{
    /// <summary>The client's format.</summary>
    public WireFormat Format { get; init; } = WireFormat.OpenAIChat;

    /// <summary>The client's body.</summary>
    public required JsonObjectIndex Body { get; init; }

    /// <summary>The neutral form, built by the endpoint when a target needs translation; null on the byte path.</summary>
    public Conversation? Conversation { get; set; }

    /// <summary>The public model id the client asked for.</summary>
    public required string Model { get; init; }

    /// <summary>Stream requested: <c>stream:true</c>, or <c>Accept: text/event-stream</c> with no <c>stream</c> field.</summary>
    public required bool Stream { get; init; }

    /// <summary>The client asked for <c>stream_options.include_usage</c>.</summary>
    public required bool ClientWantsUsage { get; init; }

    /// <summary>Number of choices (<c>n</c>), at least 1.</summary>
    public required int ChoiceCount { get; init; }

    /// <summary>Function tools (or legacy functions) are present.</summary>
    public required bool HasTools { get; init; }

    /// <summary>The request used legacy <c>functions</c>/<c>function_call</c>; the answer uses that shape too.</summary>
    public required bool LegacyFunctions { get; init; }

    /// <summary>A positive <c>budget_tokens</c> from <c>thinking</c>, <c>think</c> or <c>providerOptions.*.thinking</c>.</summary>
    public required int? ThinkingBudget { get; init; }

    /// <summary>
    /// A session id the body carries when no session header was sent (the Responses <c>prompt_cache_key</c>,
    /// which Codex sets to its session id); keys sessions and affinity like the session headers.
    /// </summary>
    public string? SessionHint { get; init; }

    /// <summary>A Responses compaction (<c>/v1/responses/compact</c>): the answer is the compacted history, not a response.</summary>
    public bool Compaction { get; init; }

    /// <summary>
    /// A Responses request whose answer is kept (<c>State:KeepResponses</c> on, <c>store</c> not false): the
    /// input items it brought (<see cref="KeptInput"/>) and the output are stored under the response's id.
    /// </summary>
    public bool KeepResponse { get; set; }

    /// <summary>The <c>previous_response_id</c> this request continued from (its history already in the input).</summary>
    public string? PreviousResponseId { get; set; }

    /// <summary>The input items this request itself brought, as raw JSON (what a kept response stores).</summary>
    public IReadOnlyList<string>? KeptInput { get; set; }

    /// <summary>
    /// The chat-site session this request's session holds (its site session id, exchange id and turn
    /// count), read before the attempts when a target is a chat site; null for a fresh session.
    /// </summary>
    public SiteSession? SiteSession { get; set; }

    /// <summary>The site session the answering chat site named (its <c>start</c> frame); set by the attempt, recorded with the turn.</summary>
    public SiteSession? AnsweredSiteSession { get; set; }
}
