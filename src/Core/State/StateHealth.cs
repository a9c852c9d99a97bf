using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>
/// Whether the state store is reachable. The first failure opens the circuit: stores then answer from
/// memory, <c>/health</c> reports <c>degraded</c> naming the dependency, and a background probe closes the
/// circuit once the store answers again.
/// </summary>
internal sealed partial class StateHealth
{
    public const string Dependency = "tableStorage";

    private readonly ILogger<StateHealth> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _reason;

    public StateHealth(ILogger<StateHealth> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public bool IsDegraded => Volatile.Read(ref _reason) is not null;

    /// <summary>Why the store is considered down (no secrets: an error kind and status).</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public DateTimeOffset? Since { get; private set; }

    public void ReportFailure(string reason)
    {
        lock (_gate)
        {
            if (_reason is not null)
            {
                return;
            }

            _reason = reason;
            Since = _time.GetUtcNow();
        }

        LogDegraded(_logger, Dependency, reason);
    }

    public void ReportRecovered()
    {
        lock (_gate)
        {
            if (_reason is null)
            {
                return;
            }

            _reason = null;
            Since = null;
        }

        LogRecovered(_logger, Dependency);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "state_degraded dependency={Dependency} reason={Reason}: serving from memory until it answers again")]
    private static partial void LogDegraded(ILogger logger, string dependency, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "state_recovered dependency={Dependency}")]
    private static partial void LogRecovered(ILogger logger, string dependency);
}
