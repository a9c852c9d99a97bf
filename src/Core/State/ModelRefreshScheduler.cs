using Cronos;
using Gateway.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>
/// Runs <see cref="ModelRefreshJob"/> on <c>State.RefreshSchedule</c> (6-field cron, UTC) in the Server
/// host, and once right after start. Azure Functions runs the same job from a timer trigger instead.
/// </summary>
internal sealed partial class ModelRefreshScheduler : BackgroundService
{
    private readonly ModelRefreshJob _job;
    private readonly CronExpression _schedule;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRefreshScheduler> _logger;

    public ModelRefreshScheduler(ModelRefreshJob job, GatewayOptions options, TimeProvider time, ILogger<ModelRefreshScheduler> logger)
    {
        _job = job;
        _schedule = Parse(options.State.RefreshSchedule);
        _time = time;
        _logger = logger;
    }

    /// <summary>Parses a 6-field (with seconds) cron expression.</summary>
    public static CronExpression Parse(string schedule) => CronExpression.Parse(schedule, CronFormat.IncludeSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RunOnceAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var next = _schedule.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                await Task.Delay(next.Value - now, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RunOnceAsync(stoppingToken);
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            var report = await _job.RunAsync(stoppingToken);
            var fetched = report.Providers.Count(p => p.Value.Fetched);
            var swept = report.Swept.Sessions + report.Swept.Affinity + report.Swept.Tokens + report.Swept.Thinking + report.Swept.Responses;
            LogRefreshed(_logger, fetched, report.Providers.Count, swept);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "model_refresh fetched={Fetched}/{Providers} swept={Swept}")]
    private static partial void LogRefreshed(ILogger logger, int fetched, int providers, int swept);

    [LoggerMessage(Level = LogLevel.Error, Message = "model_refresh_failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
