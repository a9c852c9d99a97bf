using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>A request the fake upstream received, for asserting what the gateway sent.</summary>
public sealed class RecordedRequest
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required Dictionary<string, string> Headers { get; init; }

    public required byte[] Body { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    /// <summary>Completes when the gateway closed the connection before the script finished.</summary>
    public Task Aborted => _aborted.Task;

    /// <summary>Completes when the script ended (normally or not).</summary>
    public Task Finished => _finished.Task;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    internal void MarkAborted() => _aborted.TrySetResult();

    internal void MarkFinished() => _finished.TrySetResult();
}
