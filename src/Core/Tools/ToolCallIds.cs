using System.Security.Cryptography;

namespace Gateway.Tools;

/// <summary>Ids for tool calls the gateway reads from text: <c>call_</c> and 24 random characters, unique per call.</summary>
internal static class ToolCallIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string New()
    {
        Span<char> chars = stackalloc char[24];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return "call_" + new string(chars);
    }
}
