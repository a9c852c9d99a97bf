using System.Text;
using System.Text.Json;
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
/// kind, translated or passed through) is fed the fixtures' upstream streams and whole answers with one
/// random mutation each (cut, dropped, doubled or swapped bytes and events, values of another type, bytes
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
            foreach (var upstream in new[] { "OpenAI", "Anthropic", "Gemini", "Responses" })
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
            var events = Mutate(seed.Events, random, out var mutation);
            var codec = Codec(client, upstream);
            var frames = new List<SseFrame>();
            try
            {
                GatewayError? interruption = null;
                foreach (var e in events)
                {
                    var step = CodecGuard.OnUpstreamEvent(codec, e, frames);
                    if (step is StreamStep.UpstreamError or StreamStep.Malformed)
                    {
                        _ = CodecGuard.FailureOf(codec, e.Data.Span, 200, "fuzz");
                        interruption = StreamErrors.Interrupted("fuzz");
                        break;
                    }
                }

                codec.OnUpstreamEnd(frames, interruption);
                if (frames.Select(f => f.Data).FirstOrDefault(d => !IsJsonOrDone(d)) is { Length: > 0 } bad)
                {
                    failures.Add($"round {round} ({seed.Name}, {mutation}): a frame that is not JSON: {Encoding.UTF8.GetString(bad.Span)}");
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
            var mutated = MutateBytes(body, random, out var mutation);
            var codec = Codec(client, upstream, stream: false);
            try
            {
                if (CodecGuard.TryAnswerWhole(codec, mutated, out var answer) && !IsJsonOrDone(answer))
                {
                    failures.Add($"round {round} ({name}, {mutation}): an answer that is not JSON: {Encoding.UTF8.GetString(answer.Span)}");
                }

                _ = CodecGuard.FailureOf(codec, mutated, 500, "fuzz");
                var streamCodec = Codec(client, upstream);
                if (CodecGuard.EventsOfWhole(streamCodec, mutated) is { } events)
                {
                    var frames = new List<SseFrame>();
                    foreach (var e in events)
                    {
                        CodecGuard.OnUpstreamEvent(streamCodec, e, frames);
                    }

                    streamCodec.OnUpstreamEnd(frames, null);
                }
            }
            catch (Exception ex)
            {
                failures.Add($"round {round} ({name}, {mutation}): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        Assert.True(failures.Count == 0, $"{client} client, {upstream} upstream:\n" + string.Join("\n", failures));
    }

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

    // One mutation of the event list, or of one event's data.
    private static List<SseEvent> Mutate(IReadOnlyList<SseEvent> seed, Random random, out string mutation)
    {
        var events = seed.ToList();
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

        var text = Encoding.UTF8.GetString(json);
        switch (random.Next(5))
        {
            case 0:
            case 1:
                // A value (after a colon) replaced by one of another type.
                var colons = Enumerable.Range(0, text.Length).Where(i => text[i] == ':').ToList();
                if (colons.Count > 0)
                {
                    var colon = colons[random.Next(colons.Count)];
                    var end = ValueEnd(text, colon + 1);
                    var value = OtherValues[random.Next(OtherValues.Length)];
                    mutation = $"value at {colon} replaced by {value}";
                    return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, colon + 1), value, text.AsSpan(end)));
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

    // Where the JSON value starting at (or after spaces from) index ends: matched brackets and strings.
    private static int ValueEnd(string text, int index)
    {
        while (index < text.Length && text[index] == ' ')
        {
            index++;
        }

        var depth = 0;
        var inString = false;
        for (var i = index; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (depth == 0)
                    {
                        return i;
                    }

                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case ',' when depth == 0:
                    return i;
            }
        }

        return text.Length;
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

    private static IAttemptCodec Codec(string client, string upstream, bool stream = true)
    {
        var json = GeminiGoldenTests.Simple(client);
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
            _ => new ProviderOptions { Kind = ProviderKind.OpenAI, BaseUrl = "http://upstream.test/v1", Thinking = ThinkingMode.PromptTags },
        };
        var target = new RouteTarget(new Provider("p", options), "upstream-model", 1, null);
        return TestCodecs.Selector().For(request)(target);
    }

    private sealed record Seed(string Name, IReadOnlyList<SseEvent> Events);

    private static async Task<List<Seed>> StreamSeedsAsync(string upstream)
    {
        var seeds = new List<Seed>();
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
        var seeds = Fixtures(upstream, stream: false).Select(path => (Path.GetFileName(path), File.ReadAllBytes(path))).ToList();
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
