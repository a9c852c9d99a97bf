using Gateway.Configuration;
using Microsoft.Extensions.Hosting;

namespace Gateway.Streaming;

/// <summary>
/// SPEC §5 Streaming: on shutdown, open streams get <c>ShutdownGraceSeconds</c> and then end with the
/// error event. <see cref="Token"/> is cancelled when that grace has run out.
/// </summary>
internal sealed class StreamShutdown : IDisposable
{
    private readonly CancellationTokenSource _graceOver;
    private readonly CancellationTokenRegistration _registration;

    public StreamShutdown(IHostApplicationLifetime lifetime, GatewayOptions options, TimeProvider time)
    {
        _graceOver = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var grace = TimeSpan.FromSeconds(options.Streaming.ShutdownGraceSeconds);
        _registration = lifetime.ApplicationStopping.Register(() => _graceOver.CancelAfter(grace));
    }

    /// <summary>Cancelled when the shutdown grace is over.</summary>
    public CancellationToken Token => _graceOver.Token;

    public void Dispose()
    {
        _registration.Dispose();
        _graceOver.Dispose();
    }
}
