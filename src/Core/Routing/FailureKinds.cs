namespace Gateway.Routing;

/// <summary>Snake-case names of <see cref="FailureKind"/> for labels and log fields (no per-call string allocation).</summary>
internal static class FailureKinds
{
    public static string Name(FailureKind kind) => kind switch
    {
        FailureKind.Transport => "transport",
        FailureKind.Timeout => "timeout",
        FailureKind.RetryableStatus => "retryable_status",
        FailureKind.Auth => "auth",
        FailureKind.BadResponse => "bad_response",
        FailureKind.ClientError => "client_error",
        FailureKind.Status => "status",
        FailureKind.Shutdown => "shutdown",
        _ => "other",
    };
}
