namespace Gateway.FakeUpstream;

/// <summary>How the fake upstream answers one request.</summary>
public delegate Task Script(HttpContext context, RecordedRequest request);
