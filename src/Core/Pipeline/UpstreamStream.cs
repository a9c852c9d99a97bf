using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Pipeline;

/// <summary>An open upstream stream: the response, its event reader, the attempt's codec and held-back output.</summary>
internal sealed class UpstreamStream : IAsyncDisposable
{
    private Task? _abandoned;

    public UpstreamStream(RouteTarget target, IAttemptCodec codec, CancellationToken requestAborted)
    {
        Target = target;
        Cancel = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        Codec = codec;
    }

    public RouteTarget Target { get; }

    /// <summary>Cancels the upstream call (linked to the client's abort).</summary>
    public CancellationTokenSource Cancel { get; }

    public IAttemptCodec Codec { get; }

    /// <summary>Output not yet written: the held-back preamble, then whatever the last event produced.</summary>
    public List<SseFrame> Pending { get; } = [];

    public HttpResponseMessage? Response { get; set; }

    public IAsyncEnumerator<SseEvent>? Events { get; set; }

    /// <summary>Stops the upstream after a timeout while <paramref name="pending"/> is still running.</summary>
    public void Abandon(Task pending)
    {
        _abandoned = pending;
        Cancel.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await Cancel.CancelAsync();
        if (_abandoned is not null)
        {
            // An enumerator cannot be disposed while a MoveNextAsync is in flight; the cancellation ends it.
            try
            {
                await _abandoned;

                // The send may have finished between the timeout and the cancellation: release its response.
                if (_abandoned is Task<HttpResponseMessage> { IsCompletedSuccessfully: true } send)
                {
                    send.Result.Dispose();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // Expected: the upstream was cancelled on purpose.
            }
        }

        if (Events is not null)
        {
            try
            {
                await Events.DisposeAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or InvalidOperationException or NotSupportedException)
            {
                // Disposal after a cancelled read; nothing left to release but the response below.
            }
        }

        Response?.Dispose();
        Cancel.Dispose();
    }
}
