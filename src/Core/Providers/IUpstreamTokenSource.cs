namespace Gateway.Providers;

/// <summary>
/// Bearer tokens for an upstream whose auth mode fetches them (<c>Managed</c>, <c>AzureAD</c>).
/// <see cref="UpstreamSender"/> asks for one per request and, when the upstream answers 401/403, once
/// more with the rejected token, then retries once.
/// </summary>
internal interface IUpstreamTokenSource
{
    /// <summary>A usable token; with <paramref name="rejected"/> set, a fresh one instead of that token.</summary>
    /// <exception cref="UpstreamTokenException">No token could be had (the attempt fails as an upstream auth failure).</exception>
    ValueTask<string> GetAsync(Provider provider, string? rejected, CancellationToken cancellationToken);
}
