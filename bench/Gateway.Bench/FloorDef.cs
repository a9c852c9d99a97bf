namespace Gateway.Bench;

/// <summary>
/// A figure of the floor comparison: read per path and run; <paramref name="Added"/> takes direct's value off first;
/// <paramref name="AtLeast"/> or <paramref name="AtMost"/> is the target on the gateway ÷ floor ratio.
/// </summary>
internal sealed record FloorDef(string Key, string Name, string Unit, Func<PathRun, double?> Pick, bool Added, double? AtLeast = null, double? AtMost = null);
