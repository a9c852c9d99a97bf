namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>One request a <see cref="LoopbackProxy"/> carried.</summary>
/// <param name="Protocol"><c>http</c> (absolute-URI forwarding), <c>connect</c> (HTTP tunnel) or <c>socks5</c>.</param>
/// <param name="Target">The origin, <c>host:port</c>.</param>
/// <param name="Credentials">What the client authenticated with, <c>user:password</c>, if anything.</param>
public sealed record ProxiedRequest(string Protocol, string Target, string? Credentials)
{
    /// <summary>Path and query of a forwarded HTTP request (not known for tunnels).</summary>
    public string? Path { get; init; }
}
