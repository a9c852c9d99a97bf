namespace Gateway.State;

/// <summary>Outcome of <see cref="OverrideDocumentStore.ReplaceAsync"/>.</summary>
internal enum ReplaceResult
{
    Saved,

    /// <summary>The store is unreachable (or just failed): nothing was written.</summary>
    Unavailable,

    /// <summary>More changes than one transaction holds: nothing was written.</summary>
    TooLarge,
}
