using Gateway.Chat;

namespace Gateway.Pipeline;

/// <summary>Sees every update of an attempt's answer (the signature store records thinking blocks this way).</summary>
internal interface ITurnObserver
{
    void Observe(in ChatUpdate update);

    /// <summary>The answer completed; whatever was observed may be kept.</summary>
    void TurnCompleted();
}
