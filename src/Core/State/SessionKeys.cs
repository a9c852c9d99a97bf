using System.Security.Cryptography;
using System.Text;

namespace Gateway.State;

/// <summary>
/// SPEC §5 State: a session key is a hash of the client key's name, the model and the explicit session
/// header (<c>X-Session-Id</c>, <c>x-session-key</c>, <c>X-Claude-Code-Session-Id</c>). Without a header a
/// session exists only when <c>ImplicitSessions</c> is on, and then it is per key, model and client
/// product — so two users behind one new-api key never share a session unless they say so. The
/// client-supplied id is hashed before it becomes a storage key.
/// </summary>
internal static class SessionKeys
{
    /// <summary>Session headers, first match wins: generic ones, Claude Code's, Codex's <c>session-id</c>.</summary>
    public static readonly string[] Headers = ["X-Session-Id", "x-session-key", "X-Claude-Code-Session-Id", "session-id"];

    /// <summary>The session key, or null when the request has no session.</summary>
    public static string? For(string keyName, string model, string? explicitSessionId, string client, bool implicitSessions)
    {
        if (!string.IsNullOrWhiteSpace(explicitSessionId))
        {
            return Hash("explicit", keyName, model, explicitSessionId.Trim());
        }

        return implicitSessions ? Hash("implicit", keyName, model, client) : null;
    }

    private static string Hash(string kind, string keyName, string model, string discriminator)
    {
        // Length-prefixed parts, so ("a:b", "c") and ("a", "b:c") cannot collide.
        var text = string.Join('\n', kind, keyName.Length, keyName, model.Length, model, discriminator);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
