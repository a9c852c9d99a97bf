namespace Gateway.Bench;

/// <summary>The bench's own HTTP client: one keep-alive connection per origin, nothing in the way.</summary>
internal static class BenchHttp
{
    public static HttpClient Create(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
    })
    {
        Timeout = timeout,
    };
}
