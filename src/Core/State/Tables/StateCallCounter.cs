using Azure.Core;
using Azure.Core.Pipeline;

namespace Gateway.State.Tables;

/// <summary>
/// Counts every request the gateway sends to Table Storage (retries included). It shows, and lets
/// tests assert, that a plain chat request makes no state call.
/// </summary>
internal sealed class StateCallCounter : HttpPipelineSynchronousPolicy
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _calls);
}
