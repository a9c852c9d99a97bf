namespace Gateway.Server;

/// <summary>
/// <c>Gateway.Server --probe URL</c>: one GET, exit code 0 for a 2xx answer, else 1. Container health
/// checks run it, since the .NET runtime images have no curl or wget.
/// </summary>
public static class HealthProbe
{
    /// <summary>The argument that selects probe mode.</summary>
    public const string Argument = "--probe";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Probes <paramref name="url"/>; writes why to <paramref name="error"/> when it fails.</summary>
    public static async Task<int> RunAsync(string url, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"{Argument}: '{url}' is not an absolute http(s) URL");
            return 1;
        }

        // No proxy: the probe asks this container's own port, whatever HTTPS_PROXY says for egress.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await error.WriteLineAsync($"{Argument}: {uri} answered HTTP {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"{Argument}: {uri} failed: {ex.Message}");
            return 1;
        }
    }
}
