using Azure.Core;
using Azure.Core.Pipeline;
using Gateway.Metrics;

namespace Gateway.State.Tables;

/// <summary>
/// Counts every request the gateway sends to Table Storage (retries included), and times the ones that
/// get an answer for <see cref="GatewayMetrics.StateCallDuration"/>. The count shows, and lets tests
/// assert, that a plain chat request makes no state call.
/// </summary>
internal sealed class StateCallCounter : HttpPipelineSynchronousPolicy
{
    private const string StartedProperty = "gateway.started";

    private readonly GatewayMetrics? _metrics;
    private readonly TimeProvider _time;
    private long _calls;

    public StateCallCounter(GatewayMetrics? metrics = null, TimeProvider? time = null)
    {
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
    }

    public long Calls => Interlocked.Read(ref _calls);

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _calls);
        if (_metrics is not null)
        {
            message.SetProperty(StartedProperty, _time.GetTimestamp());
        }
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (_metrics is not null && message.TryGetProperty(StartedProperty, out var started) && started is long timestamp)
        {
            _metrics.StateCall(_time.GetElapsedTime(timestamp).TotalSeconds, message.Response.Status);
        }
    }
}
