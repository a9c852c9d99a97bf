namespace Gateway.Providers;

/// <summary>
/// Requests in flight to one provider, capped at <c>MaxConcurrency</c>. Entering never waits: a
/// saturated provider is skipped (SPEC §5 Limits — never a queue that grows without bound).
/// </summary>
internal sealed class ConcurrencyGate
{
    private readonly int _limit;
    private int _inFlight;

    public ConcurrencyGate(int limit)
    {
        _limit = limit;
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool IsSaturated => InFlight >= _limit;

    public bool TryEnter()
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= _limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
