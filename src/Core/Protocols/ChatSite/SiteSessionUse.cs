using System.Security.Cryptography;
using System.Text;
using Gateway.Chat;

namespace Gateway.Protocols.ChatSite;

/// <summary>
/// Whether a request may continue the chat site's stored session, and what this turn tells the site. A
/// stored session is continued only for the same conversation (<see cref="SiteSession.Context"/>): clients
/// share one session id between a conversation and side requests (a title, a summary), and a side request's
/// site session must not become the place where the real conversation continues without its system text,
/// tools and history. The nonce of a continued session is kept, so the instructions the site already holds
/// stay the ones its model follows.
/// </summary>
internal sealed class SiteSessionUse
{
    private SiteSessionUse(SiteSession? continued, string context, string? tools)
    {
        Continued = continued;
        Context = context;
        Tools = tools;
    }

    /// <summary>The stored session this turn continues, or null (the whole conversation goes).</summary>
    public SiteSession? Continued { get; }

    /// <summary>The digest of this conversation: its system text and its first user message.</summary>
    public string Context { get; }

    /// <summary>The digest of the tool names offered in this turn (null: none).</summary>
    public string? Tools { get; }

    /// <summary>The continued session already holds the instructions for exactly these tools.</summary>
    public bool ToolsKnown => Continued is { } session && session.Tools == Tools && session.Nonce is not null;

    public static SiteSessionUse For(SiteSession? stored, Conversation conversation, IReadOnlyList<ToolDefinition> tools)
    {
        var context = Digest(ContextText(conversation));
        var toolDigest = tools.Count == 0 ? null : Digest(string.Join('\n', tools.Select(t => t.Name)));
        var continued = stored is { } session && (session.SessionId ?? session.ExchangeId) is not null && session.Context == context ? session : null;
        return new SiteSessionUse(continued, context, toolDigest);
    }

    /// <summary>What the site's answer records when it names its session: this turn's nonce, conversation and tools.</summary>
    public SiteSession Answered(string? sessionId, string? exchangeId, string? nonce) => new(sessionId, exchangeId, 0, nonce, Context, Tools);

    private static string ContextText(Conversation conversation)
    {
        var text = new StringBuilder();
        foreach (var part in conversation.System)
        {
            if (part is TextPart t)
            {
                text.Append(t.Text).Append('\n');
            }
        }

        text.Append('\0');
        if (conversation.Messages.Find(m => m.Role == ChatRole.User) is { } first)
        {
            foreach (var part in first.Parts)
            {
                if (part is TextPart t)
                {
                    text.Append(t.Text).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static string Digest(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexString(hash[..12]);
    }
}
