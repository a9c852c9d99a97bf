namespace Gateway.Admin;

/// <summary>How admin views show configuration that may hold secrets: never the value, only that it is set.</summary>
internal static class SecretMask
{
    public const string Masked = "***";

    /// <summary><c>***</c> for a set secret, null for none.</summary>
    public static string? Value(string? secret) => string.IsNullOrEmpty(secret) ? null : Masked;

    /// <summary>
    /// A URL with its user info and query values masked (a key may ride in either, such as <c>?key=…</c>);
    /// scheme, host, port and path stay, since they say where calls go.
    /// </summary>
    public static string Url(string? url)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Masked;
        }

        var builder = new UriBuilder(uri);
        if (builder.UserName.Length > 0 || builder.Password.Length > 0)
        {
            builder.UserName = Masked;
            builder.Password = string.Empty;
        }

        if (builder.Query.Length > 1)
        {
            var pairs = builder.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2)[0] + "=" + Masked);
            builder.Query = string.Join("&", pairs);
        }

        builder.Fragment = string.Empty;
        return builder.Uri.ToString();
    }
}
