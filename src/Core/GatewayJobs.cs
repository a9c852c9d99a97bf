using Gateway.State;

namespace Gateway;

/// <summary>Background work a host triggers itself (the Functions timer).</summary>
public sealed class GatewayJobs
{
    private readonly ModelRefreshJob _refresh;

    internal GatewayJobs(ModelRefreshJob refresh)
    {
        _refresh = refresh;
    }

    /// <summary>Refreshes provider model lists and sweeps expired state (the <c>RefreshSchedule</c> job).</summary>
    public Task RefreshModelsAsync(CancellationToken cancellationToken) => _refresh.RunAsync(cancellationToken);
}
