using System.Net;

namespace Gateway.Providers;

/// <summary>
/// A provider's egress proxy (<c>Providers:&lt;id&gt;:Proxy</c>): an <c>http://</c> or <c>socks5://</c> URL,
/// credentials allowed as <c>user:password@</c>. The credentials are taken out of the address, so
/// errors that name the proxy never carry them, and every display of the URL masks them.
/// </summary>
internal static class ProviderProxy
{
    private const string Masked = "****";

    /// <summary>Parses <paramref name="value"/>; false when it is not a usable proxy URL.</summary>
    public static bool TryParse(string? value, out Uri address, out NetworkCredential? credentials)
    {
        address = null!;
        credentials = null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "socks5")
            || uri.HostNameType is UriHostNameType.Unknown
            || uri.Host.Length == 0
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return false;
        }

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = separator < 0 ? uri.UserInfo : uri.UserInfo[..separator];
            var password = separator < 0 ? string.Empty : uri.UserInfo[(separator + 1)..];
            credentials = new NetworkCredential(Uri.UnescapeDataString(user), Uri.UnescapeDataString(password));
        }

        address = new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri;
        return true;
    }

    /// <summary>The proxy for a provider's handler; no bypass, not even for local addresses (the setting says this provider goes through it).</summary>
    public static IWebProxy Create(string value) =>
        TryParse(value, out var address, out var credentials)
            ? new WebProxy(address, BypassOnLocal: false) { Credentials = credentials }
            : throw new ArgumentException("not a proxy URL (validated at start-up)", nameof(value));

    /// <summary>The URL for logs and views: any credentials replaced by <c>****</c>.</summary>
    public static string Mask(string value) =>
        TryParse(value, out var address, out var credentials)
            ? credentials is null ? address.ToString() : $"{address.Scheme}://{Masked}@{address.Authority}/"
            : Masked;
}
