using Azure;

namespace Gateway.State;

/// <summary>
/// Runs a store call against Table Storage unless the circuit is open, and turns a transport failure,
/// a timeout or a server error into "use memory" (opening the circuit). A 4xx other than throttling is
/// a bug in the gateway and is not hidden.
/// </summary>
internal sealed class StateGuard
{
    // The SDK already bounds each try to 2 s with one retry; this is the backstop for the whole call.
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(5);

    private readonly StateHealth _health;
    private readonly TimeProvider _time;

    public StateGuard(StateHealth health, TimeProvider time)
    {
        _health = health;
        _time = time;
    }

    public bool Available => !_health.IsDegraded;

    /// <summary>The primary's answer, or <paramref name="fallback"/>'s when the store is (or just went) down.</summary>
    public async ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> primary, Func<CancellationToken, ValueTask<T>> fallback, CancellationToken cancellationToken, TimeSpan? budget = null)
    {
        if (_health.IsDegraded)
        {
            return await fallback(cancellationToken);
        }

        using var backstop = new CancellationTokenSource(budget ?? Backstop, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, backstop.Token);
        try
        {
            return await primary(linked.Token);
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            _health.ReportFailure(Describe(ex));
            return await fallback(cancellationToken);
        }
    }

    public static bool IsOutage(Exception ex, CancellationToken callerToken) => ex switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        RequestFailedException { Status: 404, ErrorCode: "TableNotFound" } => true,
        RequestFailedException { Status: 403 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsOutage(inner, callerToken)),
        OperationCanceledException => !callerToken.IsCancellationRequested,
        HttpRequestException or IOException or TimeoutException => true,
        Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException => true,
        _ => false,
    };

    public static string Describe(Exception ex) => ex switch
    {
        RequestFailedException r when r.Status == 0 => "unreachable (" + (r.InnerException?.GetType().Name ?? "no response") + ")",
        RequestFailedException r => $"HTTP {r.Status} {r.ErrorCode}".TrimEnd(),
        OperationCanceledException => "timed out",
        AggregateException a => Describe(a.InnerExceptions[0]),
        _ => ex.GetType().Name,
    };
}
