using System.Security.Cryptography;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// Tool-call ids for Gemini calls. Gemini sends an <c>id</c> with a call only on some models; a call without
/// one gets a gateway id (<c>call_gm…</c>), stable for the call, which clients send back with its result. Such
/// ids never go to Gemini: the call and its result are matched there by name and order.
/// </summary>
internal static class GeminiIds
{
    private const string Prefix = "call_gm";

    public static string New() => Prefix + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 22);

    /// <summary>False for ids the gateway made up for Gemini calls that had none (and for no id at all).</summary>
    public static bool IsUpstreamId(string id) => id.Length > 0 && !id.StartsWith(Prefix, StringComparison.Ordinal);
}
