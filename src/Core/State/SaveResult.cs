namespace Gateway.State;

/// <summary>Outcome of an optimistic write: saved with a new tag, or lost to a concurrent writer.</summary>
internal readonly record struct SaveResult(bool Saved, string? ETag)
{
    public static SaveResult Conflict => new(false, null);
}
