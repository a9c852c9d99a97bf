using Gateway.Chat;

namespace Gateway.Pipeline;

/// <summary>Sees every update of an attempt's answer (the signature store records thinking blocks this way).</summary>
internal interface ITurnObserver
{
    void Observe(in ChatUpdate update);

    /// <summary>The answer completed; whatever was observed may be kept.</summary>
    void TurnCompleted();

    /// <summary>
    /// Work that must be done before the client gets the answer's last frame (a kept response is stored
    /// before the client can ask to continue from it). Called after <see cref="TurnCompleted"/>.
    /// </summary>
    ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
