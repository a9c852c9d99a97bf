namespace Gateway.Configuration;

/// <summary>
/// A <see cref="ProviderKind.ChatSite"/> provider's fixed request fields and budgets (SPEC §3
/// <c>Providers:&lt;id&gt;:ChatSite</c>): what goes in the body's <c>request</c> object besides the model
/// and the query, and how large the query may grow.
/// </summary>
public sealed record ChatSiteOptions
{
    /// <summary>The body's <c>request.agent_slug</c>. Default <c>default</c>.</summary>
    public string AgentSlug { get; set; } = "default";

    /// <summary>The body's <c>request.locale</c>. Default <c>en</c>.</summary>
    public string Locale { get; set; } = "en";

    /// <summary>The body's <c>request.modes</c> (for example <c>search: false</c>). Default: none.</summary>
    public IReadOnlyDictionary<string, bool> Modes { get; set; } = new Dictionary<string, bool>();

    /// <summary>
    /// The query's size limit in characters. Over it, tool results are cut first, then the oldest history,
    /// and the current question last. Default 100,000.
    /// </summary>
    public int QueryBudgetChars { get; set; } = 100_000;

    /// <summary>One tool result's size limit in characters (its head and tail kept). Default 20,000.</summary>
    public int ToolResultMaxChars { get; set; } = 20_000;

    /// <summary>
    /// On a reused site session, the tool instructions are sent again every this many turns (the site
    /// remembers the first ones, but models drift). Default 4.
    /// </summary>
    public int ToolReminderTurns { get; set; } = 4;
}
