using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Bench;

/// <summary>The names of the paths the bench can measure (keys of <see cref="RunResult.Paths"/>).</summary>
internal static class PathNames
{
    /// <summary>The fake upstream, reached without the gateway: the reference every "added" is taken against.</summary>
    public const string Direct = "direct";

    /// <summary>The gateway under test, OpenAI chat completions in.</summary>
    public const string Gateway = "gateway";

    /// <summary>The same build with per-request logging off (wrk only).</summary>
    public const string Quiet = "gateway-quiet";

    /// <summary>Another build of the gateway (<c>BENCH_BASELINE_DLL</c>), OpenAI chat completions in.</summary>
    public const string Baseline = "baseline";

    /// <summary>The gateway under test, Anthropic Messages in (<c>BENCH_ANTHROPIC</c>), translated to the OpenAI-kind upstream.</summary>
    public const string Anthropic = "gateway-anthropic";

    /// <summary>The floor (<c>BENCH_RELAY</c>): a bare byte relay (<c>bench/Gateway.Relay</c>) in front of the same fake upstream.</summary>
    public const string Relay = "relay";
}

/// <summary>The request format of a path.</summary>
internal enum ApiKind
{
    /// <summary><c>POST /v1/chat/completions</c>, OpenAI chat completions body and SSE.</summary>
    OpenAI,

    /// <summary><c>POST /v1/messages</c> with <c>anthropic-version</c>, Anthropic Messages body and SSE.</summary>
    Anthropic,
}

/// <summary>
/// One path under test: where its requests go, in which format, and what measures it. <paramref name="Pid"/> is
/// the process on the way (the gateway or the relay; null for direct); <paramref name="Timers"/> says whether the
/// bench's own c=1 timer and stream timers measure it as well as wrk. <paramref name="Process"/> names the process
/// that serves it (its memory is read after the runs). <paramref name="ShortModel"/> is the model whose streams
/// bring one content chunk (the fake upstream's <c>echo-short</c>, through the gateway <c>demo-short</c>).
/// </summary>
internal sealed record PathSpec(string Name, string Label, Uri Url, string Model, string ShortModel, ApiKind Api, string Process, int? Pid, bool Timers)
{
    /// <summary>The non-stream request body (the same for wrk, the c=1 timer and the check).</summary>
    public byte[] NonStreamBody { get; } = BenchRequests.Body(Api, Model, stream: false);

    /// <summary>The stream request body.</summary>
    public byte[] StreamBody { get; } = BenchRequests.Body(Api, Model, stream: true);

    /// <summary>The body of a short stream (one content chunk).</summary>
    public byte[] ShortStreamBody { get; } = BenchRequests.Body(Api, ShortModel, stream: true);

    /// <summary>A POST of the non-stream, stream or short stream body, with the headers the format needs.</summary>
    public HttpRequestMessage Request(bool stream, bool shortStream = false)
    {
        var body = !stream ? NonStreamBody : shortStream ? ShortStreamBody : StreamBody;
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (Api == ApiKind.Anthropic)
        {
            request.Headers.Add("anthropic-version", BenchRequests.AnthropicVersion);
        }

        return request;
    }

    /// <summary>What the JSON file records about the path.</summary>
    public PathInfo Info() => new(Name, Label, Api.ToString(), Url.AbsolutePath, Model, Process, Timers);
}

/// <summary>A path as recorded in the results (<see cref="PathSpec"/> without ports and pids).</summary>
internal sealed record PathInfo(string Name, string Label, string Api, string Endpoint, string Model, string Process, bool Timers);

/// <summary>The request bodies the bench sends.</summary>
internal static class BenchRequests
{
    /// <summary>The fake upstream's model whose streams bring one content chunk (<c>Scripts.ShortModel</c>).</summary>
    public const string ShortUpstreamModel = "echo-short";

    /// <summary>The gateway's public model for <see cref="ShortUpstreamModel"/>.</summary>
    public const string ShortGatewayModel = "demo-short";

    public const string Prompt = "Say hello to the benchmark";

    /// <summary>What the fake upstream answers to <see cref="Prompt"/> (in the text of a non-stream answer).</summary>
    public const string EchoText = "echo: " + Prompt;

    /// <summary>The <c>anthropic-version</c> header of Anthropic Messages requests (also in <c>bench/post-anthropic.lua</c>).</summary>
    public const string AnthropicVersion = "2023-06-01";

    /// <summary>The body of a small chat request in <paramref name="api"/>'s format.</summary>
    public static byte[] Body(ApiKind api, string model, bool stream) => Encoding.UTF8.GetBytes(api switch
    {
        ApiKind.OpenAI => stream
            ? "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}],\"stream\":true}"
            : "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}],\"max_tokens\":16}",
        ApiKind.Anthropic => stream
            ? "{\"model\":\"" + model + "\",\"max_tokens\":16,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}]}"
            : "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}]}",
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, null),
    });
}
