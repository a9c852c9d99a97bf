using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.State;

namespace Gateway.Providers;

/// <summary>
/// Tokens for <c>UpstreamAuth.Mode: Managed</c> (SPEC §5 Auth). A token is fetched from <c>TokenUrl</c>,
/// shared with every instance through the token store, and refreshed <c>SkewSeconds</c> before it
/// expires — once: within an instance callers wait on one refresh (<see cref="UpstreamTokenCache"/>), and
/// across instances the refresher takes a short lease on the stored row with an ETag-checked write while
/// the others wait for its result.
/// </summary>
internal sealed class ManagedTokenSource : IUpstreamTokenSource
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LeasePoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    private readonly StateStores _stores;
    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly UpstreamTokenCache _cache;

    public ManagedTokenSource(StateStores stores, IHttpClientFactory clients, TimeProvider time)
    {
        _stores = stores;
        _clients = clients;
        _time = time;
        _cache = new UpstreamTokenCache(time);
    }

    /// <inheritdoc/>
    public ValueTask<string> GetAsync(Provider provider, string? rejected, CancellationToken cancellationToken) =>
        _cache.GetAsync(provider, rejected, this, static (self, p, r, ct) => self.ObtainAsync(p, r, ct), cancellationToken);

    private async Task<UpstreamToken> ObtainAsync(Provider provider, string? rejected, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + Lease + FetchTimeout;
        while (true)
        {
            var stored = await _stores.Tokens.GetAsync(provider.Id, cancellationToken);
            var now = _time.GetUtcNow();
            if (stored?.Token is { } shared && shared != rejected && _cache.IsFresh(provider, new UpstreamToken(shared, stored.TokenExpiresAt)))
            {
                return new UpstreamToken(shared, stored.TokenExpiresAt);
            }

            if (stored?.RefreshingUntil > now && now < deadline)
            {
                // Another instance is refreshing. A token that has not yet expired is still good meanwhile.
                if (rejected is null && stored.Token is { } old && stored.TokenExpiresAt > now)
                {
                    return new UpstreamToken(old, stored.TokenExpiresAt);
                }

                await Task.Delay(LeasePoll, _time, cancellationToken);
                continue;
            }

            var claim = new TokenRecord(provider.Id, stored?.Token, stored?.TokenExpiresAt ?? now, now + Lease, stored?.ETag);
            var claimed = await _stores.Tokens.SaveAsync(claim, cancellationToken);
            if (!claimed.Saved)
            {
                continue;
            }

            UpstreamToken fresh;
            try
            {
                fresh = await FetchAsync(provider, cancellationToken);
            }
            catch
            {
                // Give the lease back so another instance (or the next request) can try at once.
                await _stores.Tokens.SaveAsync(claim with { RefreshingUntil = null, ETag = claimed.ETag }, CancellationToken.None);
                throw;
            }

            await _stores.Tokens.SaveAsync(new TokenRecord(provider.Id, fresh.Value, fresh.ExpiresAt, null, claimed.ETag), cancellationToken);
            return fresh;
        }
    }

    private async Task<UpstreamToken> FetchAsync(Provider provider, CancellationToken cancellationToken)
    {
        var auth = provider.Options.UpstreamAuth;
        using var timeout = new CancellationTokenSource(FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(new HttpMethod(auth.Method.ToUpperInvariant()), auth.TokenUrl);
        string? contentType = null;
        foreach (var (name, value) in auth.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
                continue;
            }

            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (auth.Body is not null)
        {
            request.Content = new StringContent(auth.Body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }

        byte[] body;
        try
        {
            using var response = await _clients.CreateClient(provider.HttpClientName).SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamTokenException($"token endpoint answered HTTP {(int)response.StatusCode}");
            }

            body = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamTokenException("token endpoint unreachable", ex);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (Find(document.RootElement, auth.TokenPath) is not { ValueKind: JsonValueKind.String } tokenElement
                || tokenElement.GetString() is not { Length: > 0 } token)
            {
                throw new UpstreamTokenException($"token endpoint answer has no string at '{auth.TokenPath}'");
            }

            var now = _time.GetUtcNow();
            var lifetime = Find(document.RootElement, auth.ExpiresInPath) switch
            {
                { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var seconds) => TimeSpan.FromSeconds(seconds),
                { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
                _ => JwtExpiry(token) is { } exp ? exp - now : DefaultLifetime,
            };
            return new UpstreamToken(token, now + lifetime);
        }
        catch (JsonException ex)
        {
            throw new UpstreamTokenException("token endpoint answer is not JSON", ex);
        }
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    // The exp claim of a JWT, when the token is one and the endpoint gave no lifetime.
    private static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
            return document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
