using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Providers;

namespace Gateway.Routing;

/// <summary>Classifies an upstream error response (SPEC §4 status policy, §5 Failover).</summary>
internal static class FailureClassifier
{
    // Texts new-api's channel auto-disable reacts to, and the usual wording of key, billing and quota
    // errors: relaying any of them would get this gateway's channel disabled, so they are upstream failures.
    private static readonly string[] CredentialWords =
    [
        "api key", "api_key", "apikey", "credential", "unauthorized", "unauthenticated", "permission denied",
        "credit balance", "billing", "quota", "insufficient_quota", "organization has been disabled",
        "account is not authorized", "security token", "operation not allowed", "invalid token", "token expired",
        "access denied", "payment required",
    ];

    public static UpstreamFailure FromStatus(Provider provider, HttpStatusCode statusCode, HttpResponseHeaders headers, string? message)
    {
        var status = (int)statusCode;
        var retryAfter = status is 429 or 503 or 529 ? RetryAfterOf(headers) : null;
        if (status is 401 or 402 or 403 || SpeaksOfCredentials(message))
        {
            return new UpstreamFailure(FailureKind.Auth, status, $"HTTP {status} (credentials, billing or quota)") { RetryAfter = retryAfter };
        }

        // 529 is Anthropic's "overloaded": retryable like 503, whatever the provider's list says.
        if (provider.Retryable.Contains(status) || status == 529)
        {
            return new UpstreamFailure(FailureKind.RetryableStatus, status, $"HTTP {status}") { RetryAfter = retryAfter };
        }

        if (status is 400 or 404 or 413 or 422)
        {
            return new UpstreamFailure(FailureKind.ClientError, status, $"HTTP {status}") { ClientMessage = message };
        }

        return new UpstreamFailure(FailureKind.Status, status, $"HTTP {status}");
    }

    /// <summary>
    /// A 2xx answer that is not usable (an error event or object, a malformed body): an upstream failure
    /// that fails over, as an auth failure when its text speaks of credentials, billing or quota.
    /// </summary>
    public static UpstreamFailure FromBody(string? message, int status, string detail) =>
        new(SpeaksOfCredentials(message) ? FailureKind.Auth : FailureKind.BadResponse, status, detail);

    /// <summary>
    /// An error an Anthropic upstream sent in a stream or a 2xx body: overloaded, rate-limited and server
    /// errors fail over like their statuses would, credential and billing ones as auth failures.
    /// </summary>
    public static UpstreamFailure FromAnthropicError(string? type, string? message, int status, string detail) => type switch
    {
        "overloaded_error" or "rate_limit_error" or "api_error" or "timeout_error" => new(FailureKind.RetryableStatus, status, detail + " (" + type + ")"),
        "authentication_error" or "permission_error" or "billing_error" => new(FailureKind.Auth, status, detail + " (" + type + ")"),
        _ => FromBody(message, status, detail),
    };

    public static bool SpeaksOfCredentials(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        foreach (var word in CredentialWords)
        {
            if (message.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is { } value)
        {
            if (value.Delta is { } delta)
            {
                return delta;
            }

            if (value.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        // Fractional seconds are not valid HTTP but some upstreams send them.
        if (headers.TryGetValues("Retry-After", out var raw) && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }
}
