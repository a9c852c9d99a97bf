namespace Gateway.Routing;

/// <summary>Why an upstream attempt failed; decides failover and the final status.</summary>
internal enum FailureKind
{
    /// <summary>Connection refused, reset, DNS, TLS: try the next candidate.</summary>
    Transport,

    /// <summary>No first content, no response, or idle too long: try the next candidate; 504 at the end.</summary>
    Timeout,

    /// <summary>A status in the provider's retryable list: try the next candidate.</summary>
    RetryableStatus,

    /// <summary>401/402/403 or a credentials/billing/quota message: try the next candidate; 502 upstream_auth_error at the end.</summary>
    Auth,

    /// <summary>A 2xx body that is not a usable answer (malformed, error object): try the next candidate.</summary>
    BadResponse,

    /// <summary>The client's own mistake as judged by the upstream (400/404/413/422): returned as is, no failover.</summary>
    ClientError,

    /// <summary>Any other non-retryable status: no failover, 502.</summary>
    Status,

    /// <summary>The gateway is shutting down: no failover, 503, and no mark against the upstream.</summary>
    Shutdown,
}
