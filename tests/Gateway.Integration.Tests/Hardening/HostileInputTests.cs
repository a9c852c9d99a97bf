using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gateway.Integration.Tests.Hardening;

/// <summary>
/// The hostile-input corpus against every inbound route of one real gateway: each rejected case gets a
/// 4xx in the route's envelope with a non-empty type and never reaches the upstream; no case gets a 5xx;
/// the gateway still answers afterwards and logged no unexpected error. All failures of a run are
/// reported together.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private FakeUpstreamServer _upstream = null!;
    private GatewayApp _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstreamServer.StartAsync();
        _gateway = await GatewayApp.StartAsync(TestConfig.Single(_upstream.BaseUrl)
            .Bearer(("corpus", HostileCorpus.ClientKey))
            .Set("Auth:AdminKey", HostileAdminCorpus.AdminKey)
            .Set("Limits:MaxRequestBytes", HostileCorpus.MaxRequestBytes));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string> Routes() => [.. HostileCorpus.ChatRoutes];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Corpus_EveryCaseIsAnsweredWithoutA5xx(string path)
    {
        var cases = HostileCorpus.For(path);
        var failures = await CheckAllAsync(cases);

        await AssertNoFailuresAndHealthyAsync(failures, $"{cases.Count} cases on {path}");
    }

    public static TheoryData<string> AdminBodyRoutes() => [.. HostileAdminCorpus.BodyRoutes];

    [Theory]
    [MemberData(nameof(AdminBodyRoutes))]
    public async Task AdminCorpus_EveryCaseIsAnsweredWithoutA5xx(string path)
    {
        var cases = HostileAdminCorpus.For(path);
        var failures = await CheckAllAsync(cases);

        // The valid body still works after the corpus.
        using var valid = await _gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(HostileAdminCorpus.Method(path)), path)
        {
            Content = new StringContent(HostileAdminCorpus.Valid(path), Encoding.UTF8, "application/json"),
            Headers = { { "Authorization", "Bearer " + HostileAdminCorpus.AdminKey } },
        });
        if (valid.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"the valid body answered {(int)valid.StatusCode}: {Clip(await valid.Content.ReadAsStringAsync())}");
        }

        await AssertNoFailuresAndHealthyAsync(failures, $"{cases.Count} cases on {path}");
    }

    [Fact]
    public async Task UnknownRoutes_AreA404EnvelopeWithARequestId()
    {
        var cases = HostileCorpus.UnknownRoutes();
        var failures = await CheckAllAsync(cases);

        await AssertNoFailuresAndHealthyAsync(failures, $"{cases.Count} cases");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Framing_IsNeverA5xx(string path)
    {
        var failures = new List<string>();
        foreach (var framing in HostileFraming.Cases(path))
        {
            var before = _upstream.Requests.Count;
            var answer = await framing.SendAsync(_gateway.Root);
            var status = answer.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(answer.AsSpan(9, 3), provider: null) : (int?)null;
            if (status >= 500)
            {
                failures.Add($"{framing}: {status}");
            }
            else if (framing.ReachesGateway && status is null or < 400)
            {
                failures.Add($"{framing}: expected a 4xx from the gateway, got {(status is null ? "no answer" : status)}");
            }
            else if (framing.ReachesGateway && status is 400 or 413 && !answer.Contains("x-request-id", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{framing}: a {status} without the gateway's envelope");
            }

            if (_upstream.Requests.Count != before && !framing.Lenient)
            {
                failures.Add($"{framing}: reached the upstream");
            }
        }

        await AssertNoFailuresAndHealthyAsync(failures, $"the framing cases on {path}");
    }

    // Every case is sent; the failures of all of them are returned together.
    private async Task<List<string>> CheckAllAsync(IReadOnlyList<HostileCase> cases)
    {
        var failures = new List<string>();
        foreach (var hostile in cases)
        {
            if (await CheckAsync(hostile) is { } failure)
            {
                failures.Add(failure);
            }
        }

        return failures;
    }

    private async Task<string?> CheckAsync(HostileCase hostile)
    {
        var before = _upstream.Requests.Count;
        using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Path);
        if (hostile.Method is not ("GET" or "HEAD" or "TRACE") || hostile.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(hostile.Body);
            if (!hostile.NoContentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }
        }

        if (!hostile.Anonymous)
        {
            var key = hostile.Path.StartsWith("/manage/", StringComparison.Ordinal) ? HostileAdminCorpus.AdminKey : HostileCorpus.ClientKey;
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        foreach (var (name, value) in hostile.Headers)
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TransferEncodingChunked = true;
                request.Content = new StreamContent(new MemoryStream(hostile.Body));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.Remove(name);
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _gateway.Client.SendAsync(request);
        }
        catch (HttpRequestException ex)
        {
            return $"{hostile}: no answer ({ex.Message})";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                return $"{hostile}: {status} {Clip(text)}";
            }

            if (hostile.Expect == Expect.NoServerError)
            {
                return null;
            }

            if (hostile.Status is { } expected && status != expected)
            {
                return $"{hostile}: expected {expected}, got {status} {Clip(text)}";
            }

            if (status is < 400 or >= 500)
            {
                return $"{hostile}: expected a 4xx, got {status}";
            }

            if (_upstream.Requests.Count != before)
            {
                return $"{hostile}: reached the upstream";
            }

            if (!response.Headers.Contains("x-request-id"))
            {
                return $"{hostile}: no x-request-id";
            }

            return hostile.Method == "HEAD" ? null : EnvelopeProblem(hostile, text);
        }
    }

    // The route's envelope: Anthropic's {"type":"error","error":{"type":…}} on /v1/messages*, OpenAI's {"error":{"type":…}} elsewhere.
    private static string? EnvelopeProblem(HostileCase hostile, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var anthropic = HostileCorpus.IsAnthropic(hostile.Path) && HostileCorpus.ChatRoutes.Contains(hostile.Path);
            if (anthropic && (!root.TryGetProperty("type", out var type) || type.GetString() != "error"))
            {
                return $"{hostile}: not the Anthropic envelope: {Clip(text)}";
            }

            return root.TryGetProperty("error", out var error) && error.TryGetProperty("type", out var errorType)
                && errorType.ValueKind == JsonValueKind.String && errorType.GetString()!.Length > 0
                && error.TryGetProperty("message", out var message) && message.GetString()!.Length > 0
                ? null
                : $"{hostile}: no error type or message: {Clip(text)}";
        }
        catch (JsonException)
        {
            return $"{hostile}: the body is not JSON: {Clip(text)}";
        }
    }

    // After a corpus: the gateway still lives and answers a valid request, nothing was logged as an error, and
    // no case failed (all failures listed together).
    private async Task AssertNoFailuresAndHealthyAsync(List<string> failures, string what)
    {
        using var live = await _gateway.Client.GetAsync("/health/live");
        if (live.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"/health/live answered {(int)live.StatusCode} after the corpus");
        }

        using var chat = await _gateway.Client.PostAsync(Requests.Hello, configure: r => r.Bearer(HostileCorpus.ClientKey));
        if (chat.StatusCode != HttpStatusCode.OK)
        {
            failures.Add($"a valid request answered {(int)chat.StatusCode} after the corpus");
        }

        foreach (var entry in _gateway.Logs.Entries.Where(e => e.Level >= LogLevel.Error))
        {
            failures.Add($"logged an error: {Clip(entry.Message)}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failures after {what}:\n" + string.Join("\n", failures));
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
