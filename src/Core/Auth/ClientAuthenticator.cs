using System.Security.Cryptography;
using System.Text;
using Gateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gateway.Auth;

/// <summary>
/// Checks the client key (SPEC §3 Auth): <c>Authorization: Bearer</c>, <c>X-Api-Key</c> or <c>x-api-key</c>.
/// Keys are compared as SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, and
/// every configured key is compared, so timing reveals neither which key nor how much of it matched.
/// </summary>
internal sealed class ClientAuthenticator
{
    public const string AnonymousKeyName = "anonymous";

    private readonly AuthMode _mode;
    private readonly (string Name, byte[] Digest)[] _keys;
    private readonly byte[]? _adminDigest;

    public ClientAuthenticator(GatewayOptions options)
    {
        _mode = options.Auth.Mode;
        _keys = [.. options.Auth.Keys.Select(pair => (pair.Key, Digest(pair.Value)))];
        _adminDigest = options.Auth.AdminKey is { Length: > 0 } admin ? Digest(admin) : null;
    }

    /// <summary>The key name of the caller; false when a key is required and missing or wrong.</summary>
    public bool TryAuthenticate(HttpRequest request, out string keyName)
    {
        var presented = PresentedKey(request);
        if (_mode == AuthMode.None)
        {
            keyName = presented is not null && Match(presented) is { } named ? named : AnonymousKeyName;
            return true;
        }

        keyName = "-";
        if (presented is null)
        {
            return false;
        }

        if (Match(presented) is { } name)
        {
            keyName = name;
            return true;
        }

        return false;
    }

    /// <summary>An admin key is configured (admin routes are off without one).</summary>
    public bool AdminConfigured => _adminDigest is not null;

    /// <summary>True when the request carries the admin key.</summary>
    public bool IsAdmin(HttpRequest request)
    {
        var presented = PresentedKey(request);
        return _adminDigest is not null && presented is not null && CryptographicOperations.FixedTimeEquals(Digest(presented), _adminDigest);
    }

    /// <summary>The bearer token or API key the client sent, if any.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 7 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[7..].Trim();
            return token.Length > 0 ? token : null;
        }

        var apiKey = request.Headers["X-Api-Key"].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }

    private string? Match(string presented)
    {
        var digest = Digest(presented);
        string? found = null;
        foreach (var (name, key) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, key))
            {
                found = name;
            }
        }

        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
