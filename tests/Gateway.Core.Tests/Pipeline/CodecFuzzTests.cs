using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.Streaming;
using Gateway.Tests.Protocols.Gemini;
using Xunit;

namespace Gateway.Tests.Pipeline;

/// <summary>
/// Whatever an upstream sends is data: every codec the selector builds (each client format on each upstream
/// kind, translated or passed through, a chat site with and without the emulated tool loop) is fed the fixtures' upstream streams and whole answers with one
/// to three random mutations each (cut, dropped, doubled or swapped bytes and events, values of another type, bytes
/// that are not UTF-8, lone surrogates, huge numbers). Through the runners' guard, nothing may throw (a throw
/// is a 500 or a stream dropped without its error event), and every frame the client would get is valid JSON.
/// The random sequence is fixed per case, so a failure names a case that reproduces.
/// </summary>
public sealed class CodecFuzzTests
{
    private const int Rounds = 250;

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var client in new[] { "openai", "anthropic", "responses" })
        {
            foreach (var upstream in new[] { "OpenAI", "Anthropic", "Gemini", "Responses", "ChatSite", "ChatSiteTools" })
            {
                if (upstream != "Responses" || client == "responses")
                {
                    data.Add(client, upstream);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Stream_MutatedUpstreamEvents_NeverThrow_AndFramesAreJson(string client, string upstream)
    {
        var seeds = await StreamSeedsAsync(upstream);
        var failures = new List<string>();
        for (var round = 0; round < Rounds && failures.Count < 5; round++)
        {
            var random = new Random(StableSeed($"{client}/{upstream}/stream/{round}"));
            var seed = seeds[random.Next(seeds.Count)];
            var codec = Codec(client, upstream);
            var events = MutateRepeatedly(WithNonce(seed.Events, codec), random, Mutate, out var mutation);

            var frames = new List<SseFrame>();
            try
            {
                RunStream(codec, events, frames);
                if (FirstNotJson(frames) is { } bad)
                {
                    failures.Add($"round {round} ({seed.Name}, {mutation}): a frame that is not JSON: {bad}");
                }
            }
            catch (Exception ex)
            {
                failures.Add($"round {round} ({seed.Name}, {mutation}): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        Assert.True(failures.Count == 0, $"{client} client, {upstream} upstream:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Whole_MutatedUpstreamAnswers_NeverThrow_AndAnswersAreJson(string client, string upstream)
    {
        var seeds = WholeSeeds(upstream);
        var failures = new List<string>();
        for (var round = 0; round < Rounds && failures.Count < 5; round++)
        {
            var random = new Random(StableSeed($"{client}/{upstream}/whole/{round}"));
            var (name, body) = seeds[random.Next(seeds.Count)];
            var codec = Codec(client, upstream, stream: false);
            var mutated = MutateRepeatedly(WithNonce(body, codec), random, MutateBytes, out var mutation);

            try
            {
                if (CodecGuard.TryAnswerWhole(codec, mutated, out var answer) && !IsJsonOrDone(answer))
                {
                    failures.Add($"round {round} ({name}, {mutation}): an answer that is not JSON: {Encoding.UTF8.GetString(answer.Span)}");
                }

                _ = CodecGuard.FailureOf(codec, mutated, 500, "fuzz");
                // The same answer given to a stream request (its own codec, so its own nonce for a chat site).
                var streamCodec = Codec(client, upstream);
                var asStream = MutateRepeatedly(WithNonce(body, streamCodec), random, MutateBytes, out var streamMutation);
                if (CodecGuard.EventsOfWhole(streamCodec, asStream) is { } events)
                {
                    var frames = new List<SseFrame>();
                    RunStream(streamCodec, events, frames);
                    if (FirstNotJson(frames) is { } bad)
                    {
                        failures.Add($"round {round} ({name} as a stream, {streamMutation}): a frame that is not JSON: {bad}");
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Add($"round {round} ({name}, {mutation}): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        Assert.True(failures.Count == 0, $"{client} client, {upstream} upstream:\n" + string.Join("\n", failures));
    }

    // The events through the codec as the streaming runner feeds them: an upstream error or a malformed event
    // ends the stream with the client format's interruption, after the failure is read from that event.
    private static StreamEnd RunStream(IAttemptCodec codec, IEnumerable<SseEvent> events, List<SseFrame> frames)
    {
        GatewayError? interruption = null;
        foreach (var e in events)
        {
            if (CodecGuard.OnUpstreamEvent(codec, e, frames) is StreamStep.UpstreamError or StreamStep.Malformed)
            {
                _ = CodecGuard.FailureOf(codec, e.Data.Span, 200, "fuzz");
                interruption = StreamErrors.Interrupted("fuzz");
                break;
            }
        }

        return codec.OnUpstreamEnd(frames, interruption);
    }

    // A chat site's stream as the SSE events its UI message stream arrives in.
    private static List<SseEvent> SiteEvents(string[] stream) => [.. stream.Select(data => new SseEvent(string.Empty, Encoding.UTF8.GetBytes(data)))];

    // FNV-1a of the case's name: the same in every process (HashCode is seeded per process).
    private static int StableSeed(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }

    private delegate T Mutation<T>(T value, Random random, out string description);

    // One to three mutations in a row, described together.
    private static T MutateRepeatedly<T>(T value, Random random, Mutation<T> mutate, out string description)
    {
        var descriptions = new List<string>();
        for (var times = random.Next(1, 4); times > 0; times--)
        {
            value = mutate(value, random, out var one);
            descriptions.Add(one);
        }

        description = string.Join("; ", descriptions);
        return value;
    }

    // The first frame for the client that is not JSON (nor the [DONE] marker), as text; null when all are.
    private static string? FirstNotJson(List<SseFrame> frames) =>
        frames.Where(f => !IsJsonOrDone(f.Data)).Select(f => Encoding.UTF8.GetString(f.Data.Span)).FirstOrDefault();

    // One mutation of the event list, or of one event's data.
    private static List<SseEvent> Mutate(IReadOnlyList<SseEvent> seed, Random random, out string mutation)
    {
        var events = seed.ToList();
        if (events.Count == 0)
        {
            mutation = "no event left";
            return events;
        }

        var at = random.Next(events.Count);
        switch (random.Next(6))
        {
            case 0:
                events.RemoveAt(at);
                mutation = $"event {at} dropped";
                break;
            case 1:
                events.Insert(at, events[at]);
                mutation = $"event {at} doubled";
                break;
            case 2:
                var other = random.Next(events.Count);
                (events[at], events[other]) = (events[other], events[at]);
                mutation = $"events {at} and {other} swapped";
                break;
            default:
                events[at] = events[at] with { Data = MutateBytes(events[at].Data.ToArray(), random, out var inner) };
                mutation = $"event {at}: {inner}";
                break;
        }

        return events;
    }

    private static readonly string[] OtherValues =
        ["null", "{}", "[]", "\"\"", "-1", "0", "1e999", "18446744073709551616", "true", "\"\\ud800\"", "[[[[]]]]", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "\"x\""];

    // One mutation of a JSON text: a value replaced by one of another type, a cut, a dropped or doubled range,
    // a byte that is not UTF-8.
    private static byte[] MutateBytes(byte[] json, Random random, out string mutation)
    {
        if (json.Length == 0)
        {
            mutation = "empty";
            return json;
        }

        switch (random.Next(5))
        {
            case 0:
            case 1:
                // A member's value replaced by one of another type.
                var values = MemberValues(json);
                if (values.Count > 0)
                {
                    var (from, to) = values[random.Next(values.Count)];
                    var value = OtherValues[random.Next(OtherValues.Length)];
                    mutation = $"value at {from} replaced by {value}";
                    return [.. json[..from], .. Encoding.UTF8.GetBytes(value), .. json[to..]];
                }

                goto case 2;
            case 2:
                var cut = random.Next(json.Length);
                mutation = $"cut at {cut}";
                return json[..cut];
            case 3:
                var start = random.Next(json.Length);
                var length = random.Next(1, Math.Min(16, json.Length - start) + 1);
                var doubled = random.Next(2) == 0;
                mutation = $"{length} bytes at {start} {(doubled ? "doubled" : "dropped")}";
                return doubled ? [.. json[..(start + length)], .. json[start..]] : [.. json[..start], .. json[(start + length)..]];
            default:
                var position = random.Next(json.Length);
                mutation = $"0xFF at {position}";
                return [.. json[..position], 0xFF, .. json[position..]];
        }
    }

    // Where each member's value sits (start, end), at any depth, as far as the text is JSON.
    private static List<(int Start, int End)> MemberValues(byte[] json)
    {
        var values = new List<(int, int)>();
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    var value = reader;
                    value.Read();
                    var start = (int)value.TokenStartIndex;
                    value.Skip();
                    values.Add((start, (int)value.BytesConsumed));
                }
            }
        }
        catch (JsonException)
        {
            // A seed that is not JSON (or a cut one) offers the values found before the break.
        }

        return values;
    }

    // The chat-site seeds as sent (no mutation) bring the client the tool call, so the fuzz runs the tool loop.
    [Theory]
    [InlineData("openai", "\"get_weather\"")]
    [InlineData("anthropic", "\"get_weather\"")]
    [InlineData("responses", "\"get_weather\"")]
    public void ToolCalls_SeedsAreCalls(string client, string call)
    {
        var codec = Codec(client, "ChatSiteTools");
        var frames = new List<SseFrame>();

        Assert.Equal(StreamEnd.Completed, RunStream(codec, WithNonce(SiteEvents(ChatSiteStreams[1]), codec), frames));
        Assert.Contains(frames, f => Encoding.UTF8.GetString(f.Data.Span).Contains(call, StringComparison.Ordinal));

        var whole = Codec(client, "ChatSiteTools", stream: false);
        Assert.True(CodecGuard.TryAnswerWhole(whole, WithNonce(Encoding.UTF8.GetBytes(ChatSiteWholes[1]), whole), out var answer));
        Assert.Contains(call, Encoding.UTF8.GetString(answer.Span), StringComparison.Ordinal);
    }

    private static bool IsJsonOrDone(ReadOnlyMemory<byte> data)
    {
        if (data.Span.SequenceEqual("[DONE]"u8))
        {
            return true;
        }

        try
        {
            using var _ = JsonDocument.Parse(data);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The tools each client format declares for the chat site's emulated tool loop.
    private static readonly Dictionary<string, string> WithTools = new()
    {
        ["openai"] = """{"model":"gw","stream":true,"messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}""",
        ["anthropic"] = """{"model":"gw","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"weather?"}],"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}""",
        ["responses"] = """{"model":"gw","stream":true,"input":"weather?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}""",
    };

    private static IAttemptCodec Codec(string client, string upstream, bool stream = true)
    {
        var json = upstream == "ChatSiteTools" ? WithTools[client] : GeminiGoldenTests.Simple(client);
        if (!stream)
        {
            json = json.Replace("\"stream\":true,", string.Empty, StringComparison.Ordinal);
        }

        var request = GeminiGoldenTests.Parse(client, json);
        var options = upstream switch
        {
            "Anthropic" => new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1", ApiKey = "k", Thinking = ThinkingMode.Native },
            "Gemini" => new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "http://upstream.test/v1beta", ApiKey = "g", Thinking = ThinkingMode.Native },
            "Responses" => new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", ResponsesPath = "/responses" },
            "ChatSite" or "ChatSiteTools" => new ProviderOptions { Kind = ProviderKind.ChatSite, BaseUrl = "http://site.test/api", Thinking = ThinkingMode.PromptTags },
            _ => new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", Thinking = ThinkingMode.PromptTags },
        };
        var target = new RouteTarget(new Provider("p", options), "upstream-model", 1, null);
        return TestCodecs.Selector().For(request)(target);
    }

    // A chat site's tool calls are marked with the nonce the codec's request made up: seeds say NONCE.
    // (That the nonce is found when tools are offered is checked by ToolCalls_SeedsAreCalls.)
    private static List<SseEvent> WithNonce(IReadOnlyList<SseEvent> events, IAttemptCodec codec) =>
        [.. events.Select(e => e with { Data = WithNonce(e.Data.ToArray(), codec) })];

    private static byte[] WithNonce(byte[] data, IAttemptCodec codec)
    {
        if (data.AsSpan().IndexOf("NONCE"u8) < 0)
        {
            return data;
        }

        var nonce = Regex.Match(Encoding.UTF8.GetString(codec.UpstreamBody(true).Span), "tool_call id=\\\\?\"([a-z0-9-]+)").Groups[1].Value;
        // Without tools there is no protocol: the block is text like any other.
        return nonce.Length == 0 ? data : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data).Replace("NONCE", nonce, StringComparison.Ordinal));
    }

    // A chat site's UI message stream: text, reasoning, a thinking tag, a tool call cut over three deltas.
    private static readonly string[][] ChatSiteStreams =
    [
        [
            """{"type":"start","messageMetadata":{"sessionId":"s1","exchangeId":"e1"}}""",
            """{"type":"reasoning-delta","delta":"Plan."}""",
            """{"type":"text-delta","delta":"<thinking>more</thinking>Hello "}""",
            """{"type":"text-delta","delta":"world."}""",
            """{"type":"message-metadata","messageMetadata":{"sessionId":"s1","exchangeId":"e2"}}""",
            """{"type":"finish"}""",
        ],
        [
            """{"type":"start","messageMetadata":{"sessionId":"s2"}}""",
            """{"type":"text-delta","delta":"Checking. <tool_call id=\"NONCE\">{\"name\": \"get_"}""",
            """{"type":"text-delta","delta":"weather\", \"arguments\": {\"city\": \"Pa"}""",
            """{"type":"text-delta","delta":"ris\"}}</tool_call>"}""",
            """{"type":"finish"}""",
        ],
        [
            """{"type":"start"}""",
            """{"type":"text-delta","delta":"Part"}""",
            """{"type":"error","errorText":"site overloaded"}""",
        ],
    ];

    private static readonly string[] ChatSiteWholes =
    [
        """{"content":"Hello <thinking>t</thinking>there."}""",
        """{"text":"<tool_call id=\"NONCE\">{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>"}""",
        """{"parts":[{"type":"reasoning","text":"why"},{"type":"text","text":"Answer."}]}""",
    ];

    private sealed record Seed(string Name, IReadOnlyList<SseEvent> Events);

    private static async Task<List<Seed>> StreamSeedsAsync(string upstream)
    {
        var seeds = new List<Seed>();
        if (upstream.StartsWith("ChatSite", StringComparison.Ordinal))
        {
            return [.. ChatSiteStreams.Select((stream, i) => new Seed($"chat-site stream {i}", SiteEvents(stream)))];
        }

        foreach (var path in Fixtures(upstream, stream: true))
        {
            var events = new List<SseEvent>();
            if (upstream == "Responses")
            {
                // A client transcript of the Responses encoder: event and data lines, steps between them.
                string? type = null;
                foreach (var line in File.ReadLines(path))
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        type = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        events.Add(new SseEvent(type ?? string.Empty, Encoding.UTF8.GetBytes(line[6..].Replace("<now>", "1", StringComparison.Ordinal))));
                        type = null;
                    }
                }
            }
            else
            {
                using var body = new ReadActivityStream(File.OpenRead(path), TimeProvider.System);
                await foreach (var e in SseEventReader.ReadAsync(body, CancellationToken.None))
                {
                    events.Add(e with { Data = e.Data.ToArray() });
                }
            }

            if (events.Count > 0)
            {
                seeds.Add(new Seed(Path.GetFileName(path), events));
            }
        }

        Assert.NotEmpty(seeds);
        return seeds;
    }

    private static List<(string Name, byte[] Body)> WholeSeeds(string upstream)
    {
        var seeds = upstream.StartsWith("ChatSite", StringComparison.Ordinal)
            ? [.. ChatSiteWholes.Select((body, i) => ($"chat-site whole {i}", Encoding.UTF8.GetBytes(body)))]
            : Fixtures(upstream, stream: false).Select(path => (Path.GetFileName(path), File.ReadAllBytes(path))).ToList();
        Assert.NotEmpty(seeds);
        return seeds;
    }

    private static IEnumerable<string> Fixtures(string upstream, bool stream)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "fixtures");
        var (folders, pattern) = (upstream, stream) switch
        {
            ("OpenAI", true) => (new[] { "openai-chat", "anthropic-in", "responses-in" }, "stream-*.upstream.sse"),
            ("OpenAI", false) => (["anthropic-in", "responses-in"], "whole-*.upstream.json"),
            ("Anthropic", true) => (["anthropic-out"], "stream-*.upstream.sse"),
            ("Anthropic", false) => (["anthropic-out"], "whole-*.upstream.json"),
            ("Gemini", true) => (["gemini-out"], "stream-*.upstream.sse"),
            ("Gemini", false) => (["gemini-out"], "whole-*.upstream.json"),
            ("Responses", true) => (["responses-in"], "stream-*.client.sse"),
            _ => (["responses-in"], "whole-*.client.json"),
        };
        // responses-in holds one Anthropic-kind upstream stream among its OpenAI-kind ones.
        return folders.SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), pattern))
            .Where(path => upstream != "OpenAI" || !Path.GetFileName(path).Contains("anthropic", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }
}
