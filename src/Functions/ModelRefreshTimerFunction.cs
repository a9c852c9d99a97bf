using Gateway.Configuration;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions;

/// <summary>
/// The model-list refresh job on the schedule in the <c>GATEWAY_REFRESH_SCHEDULE</c> app setting (6-field
/// cron), the same setting the Server reads.
/// </summary>
public sealed class ModelRefreshTimerFunction(GatewayJobs jobs)
{
    [Function("ModelRefreshTimer")]
    public Task Run([TimerTrigger("%" + StateOptions.RefreshScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        jobs.RefreshModelsAsync(cancellationToken);
}
