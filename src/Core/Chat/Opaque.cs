using System.Security.Cryptography;
using System.Text;
using Gateway.Configuration;

namespace Gateway.Chat;

/// <summary>
/// Provider state carried verbatim: an Anthropic thinking signature or redacted-thinking payload, a
/// Gemini <c>thoughtSignature</c>, a Responses <c>encrypted_content</c>. It keeps its origin (the kind and
/// provider that produced it) and is sent only to a target of that origin; for any other target it is
/// dropped, so a failover or a model switch never sends one provider's signature to another.
/// </summary>
/// <param name="Value">The provider's value, unchanged.</param>
/// <param name="Kind">The kind of upstream that produced it.</param>
/// <param name="Provider">
/// A short hash of the producing provider's id; null when the origin is only known by kind (a value a
/// client sent that the gateway never tagged, such as a signature from a direct Anthropic session).
/// </param>
internal sealed record Opaque(string Value, ProviderKind Kind, string? Provider)
{
    // Not a base64 or base64url character, so it cannot begin a provider's own value.
    private const string Tag = "gw1~";

    /// <summary>An opaque value produced by <paramref name="provider"/>.</summary>
    public static Opaque From(string value, ProviderKind kind, string provider) => new(value, kind, ProviderHash(provider));

    /// <summary>May this value be sent to a target of <paramref name="kind"/> served by <paramref name="provider"/>?</summary>
    public bool BelongsTo(ProviderKind kind, string provider) => Kind == kind && (Provider is null || Provider == ProviderHash(provider));

    /// <summary>The value as a client sees it: tagged with its origin, so it can be recognised when it comes back.</summary>
    public string Encode() => Tag + KindLetter(Kind) + (Provider ?? string.Empty) + "~" + Value;

    /// <summary>
    /// Reads a value a client sent back. A tagged value gives its origin; an untagged one is taken as
    /// produced by some upstream of <paramref name="untaggedKind"/> (the client's own format).
    /// </summary>
    public static Opaque Decode(string encoded, ProviderKind untaggedKind)
    {
        if (encoded.StartsWith(Tag, StringComparison.Ordinal) && encoded.Length > Tag.Length + 1)
        {
            var end = encoded.IndexOf('~', Tag.Length + 1);
            if (end > 0 && KindOf(encoded[Tag.Length]) is { } kind)
            {
                var provider = encoded.Substring(Tag.Length + 1, end - Tag.Length - 1);
                return new Opaque(encoded[(end + 1)..], kind, provider.Length == 0 ? null : provider);
            }
        }

        return new Opaque(encoded, untaggedKind, null);
    }

    /// <summary>True when <paramref name="text"/> holds a tagged value somewhere (a cheap check on raw bytes).</summary>
    public static bool MayContainTag(ReadOnlySpan<byte> text) => text.IndexOf("\"gw1~"u8) >= 0;

    /// <summary>The first 8 hex digits of SHA-256 of the provider id: enough to tell providers apart, nothing to read.</summary>
    public static string ProviderHash(string provider)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(provider), hash);
        return Convert.ToHexStringLower(hash[..4]);
    }

    private static char KindLetter(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => 'a',
        ProviderKind.Gemini => 'g',
        ProviderKind.ChatSite => 's',
        _ => 'o',
    };

    private static ProviderKind? KindOf(char letter) => letter switch
    {
        'a' => ProviderKind.Anthropic,
        'g' => ProviderKind.Gemini,
        's' => ProviderKind.ChatSite,
        'o' => ProviderKind.OpenAI,
        _ => null,
    };
}
