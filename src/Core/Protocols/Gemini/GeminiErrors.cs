using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Providers;
using Gateway.Routing;
using static Gateway.Json.JsonElementMembers;

namespace Gateway.Protocols.Gemini;

/// <summary>
/// Gemini's errors (<c>{"error":{"code","message","status","details"}}</c>) under the SPEC §4 policy:
/// <c>RESOURCE_EXHAUSTED</c> and <c>UNAVAILABLE</c> fail over as retryable (their Retry-After, or the
/// <c>RetryInfo</c> delay, puts the target on cooldown) even though a quota message speaks of billing;
/// <c>PERMISSION_DENIED</c>, <c>UNAUTHENTICATED</c> and an <c>API_KEY_INVALID</c> reason (which Gemini sends
/// with a 400) are credential failures; any other <c>INVALID_ARGUMENT</c> is the client's mistake as usual.
/// </summary>
internal static class GeminiErrors
{
    /// <summary>An error response (non-2xx) from a Gemini upstream.</summary>
    public static UpstreamFailure FromResponse(Provider provider, HttpStatusCode statusCode, HttpResponseHeaders headers, ReadOnlySpan<byte> body)
    {
        var error = Read(body);
        var status = (int)statusCode;
        switch (Classify(error))
        {
            case FailureKind.Auth:
                return new UpstreamFailure(FailureKind.Auth, status, $"HTTP {status} {error.Status} (credentials)");
            case FailureKind.RetryableStatus:
                var failure = FailureClassifier.FromStatus(provider, statusCode, headers, message: null);
                return new UpstreamFailure(FailureKind.RetryableStatus, status, $"HTTP {status} {error.Status}")
                {
                    RetryAfter = failure.RetryAfter ?? error.RetryDelay,
                };
            default:
                return FailureClassifier.FromStatus(provider, statusCode, headers, error.Message);
        }
    }

    /// <summary>An error object in a stream, or a 2xx body that is not an answer.</summary>
    public static UpstreamFailure FromBody(ReadOnlySpan<byte> data, int status, string detail)
    {
        var error = Read(data);
        return Classify(error) switch
        {
            FailureKind.Auth => new UpstreamFailure(FailureKind.Auth, status, detail + " (" + error.Status + ")"),
            FailureKind.RetryableStatus => new UpstreamFailure(FailureKind.RetryableStatus, status, detail + " (" + error.Status + ")") { RetryAfter = error.RetryDelay },
            _ => FailureClassifier.FromBody(error.Message, status, detail),
        };
    }

    private static FailureKind? Classify(Error error) => error switch
    {
        { Status: "PERMISSION_DENIED" or "UNAUTHENTICATED" } or { Reason: "API_KEY_INVALID" } => FailureKind.Auth,
        { Status: "RESOURCE_EXHAUSTED" or "UNAVAILABLE" } => FailureKind.RetryableStatus,
        _ => null,
    };

    internal static Error Read(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;

            // A stream's error can come as a one-element array (Gemini's JSON array framing).
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            string? reason = null;
            TimeSpan? delay = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    reason ??= String(detail, "reason");
                    if (String(detail, "retryDelay") is { } retry && retry.EndsWith('s')
                        && double.TryParse(retry[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                    {
                        delay = TimeSpan.FromSeconds(seconds);
                    }
                }
            }

            return new Error(String(error, "status"), reason, String(error, "message"), delay);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON (or not valid Unicode): the HTTP status decides.
            return default;
        }
    }

    /// <summary>The parts of a Gemini error the policy reads.</summary>
    internal readonly record struct Error(string? Status, string? Reason, string? Message, TimeSpan? RetryDelay);
}
