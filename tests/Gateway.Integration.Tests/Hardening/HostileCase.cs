namespace Gateway.Integration.Tests.Hardening;

/// <summary>What a hostile request must get.</summary>
public enum Expect
{
    /// <summary>A 4xx in the route's envelope with a non-empty type, and no upstream call.</summary>
    Reject,

    /// <summary>Input that is odd but acceptable: any answer below 500 (the upstream may be called).</summary>
    NoServerError,
}

/// <summary>
/// One request of the hostile-input corpus: sent as it is (method, path, headers, body bytes), with what
/// it must get. <paramref name="Status"/> pins the exact status where one is required.
/// </summary>
public sealed record HostileCase(string Name, string Path, byte[] Body, Expect Expect, string Method = "POST", int? Status = null)
{
    /// <summary>Headers beyond the defaults (Content-Type application/json and the client key).</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>Send no client key (the auth cases).</summary>
    public bool Anonymous { get; init; }

    /// <summary>Omit the default Content-Type.</summary>
    public bool NoContentType { get; init; }

    public override string ToString() => $"{Method} {Path} {Name}";
}
