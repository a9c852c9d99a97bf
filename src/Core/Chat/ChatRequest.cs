using Gateway.Json;

namespace Gateway.Chat;

/// <summary>
/// An inbound chat request: the raw OpenAI Chat Completions body (the gateway's neutral format, which
/// every other wire format maps to and from) plus the facts routing and translation need.
/// </summary>
internal sealed class ChatRequest
{
    public required JsonObjectIndex Body { get; init; }

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
}
