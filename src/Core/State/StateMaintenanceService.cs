using Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>
/// Keeps this instance in step with the shared store: creates the tables at start (an unreachable store
/// only degrades the gateway, it does not stop it), re-reads overrides and the model cache every
/// <c>ReloadSeconds</c>, and while degraded probes the store every two seconds until it answers.
/// </summary>
internal sealed partial class StateMaintenanceService : BackgroundService
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(2);

    private readonly StateStores _stores;
    private readonly StateHealth _health;
    private readonly StateSnapshots _snapshots;
    private readonly TimeProvider _time;
    private readonly TimeSpan _reload;
    private readonly ILogger<StateMaintenanceService> _logger;

    public StateMaintenanceService(StateStores stores, StateHealth health, StateSnapshots snapshots, GatewayOptions options, TimeProvider time, ILogger<StateMaintenanceService> logger)
    {
        _stores = stores;
        _health = health;
        _snapshots = snapshots;
        _time = time;
        _reload = TimeSpan.FromSeconds(options.State.ReloadSeconds);
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        await _snapshots.ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextReload = _time.GetUtcNow() + _reload;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _health.IsDegraded && _stores.Tables is not null ? ProbeInterval : nextReload - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait < ProbeInterval ? wait : ProbeInterval, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                if (_health.IsDegraded && _stores.Tables is not null && await EnsureTablesAsync(stoppingToken))
                {
                    _health.ReportRecovered();
                    await _snapshots.ReloadAsync(stoppingToken);
                    nextReload = _time.GetUtcNow() + _reload;
                }
                else if (_time.GetUtcNow() >= nextReload)
                {
                    await _snapshots.ReloadAsync(stoppingToken);
                    nextReload = _time.GetUtcNow() + _reload;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug in reloading must not stop the loop that closes the circuit.
                LogMaintenanceFailed(_logger, ex);
            }
        }
    }

    // True when the store answered (tables exist now).
    private async Task<bool> EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (_stores.Tables is null)
        {
            return true;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await _stores.Tables.EnsureTablesAsync(StateStores.TableSuffixes, linked.Token);
            return true;
        }
        catch (Exception ex) when (StateGuard.IsOutage(ex, cancellationToken))
        {
            _health.ReportFailure(StateGuard.Describe(ex));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "state_maintenance_failed")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);
}
