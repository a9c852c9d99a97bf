using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>Request helpers for the gateway's chat endpoint.</summary>
public static class Requests
{
    public const string Hello = """{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}""";
    public const string HelloStream = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hello"}]}""";
    public const string HelloStreamUsage = """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]}""";

    public static HttpRequestMessage Chat(string json, string path = "/v1/chat/completions")
    {
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string json, string path = "/v1/chat/completions", Action<HttpRequestMessage>? configure = null)
    {
        var request = Chat(json, path);
        configure?.Invoke(request);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Sends <paramref name="method"/> to <paramref name="path"/> with an optional JSON body (admin routes).</summary>
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, Action<HttpRequestMessage> configure) =>
        client.SendAsync(HttpMethod.Get, path, configure: configure);

    public static async Task<(HttpResponseMessage Response, List<SseText.Event> Events, string Raw)> StreamAsync(this HttpClient client, string json, Action<HttpRequestMessage>? configure = null)
    {
        var response = await client.PostAsync(json, configure: configure);
        var raw = await response.Content.ReadAsStringAsync();
        return (response, response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? SseText.Parse(raw) : [], raw);
    }

    public const string MessagesPath = "/v1/messages";

    /// <summary>An Anthropic Messages request for model gpt-test (the test configs' public id).</summary>
    public static string Message(string text = "hello", bool stream = false, string extra = "") =>
        $$"""{"model":"gpt-test","max_tokens":100,{{(stream ? "\"stream\":true," : string.Empty)}}{{extra}}"messages":[{"role":"user","content":"{{text}}"}]}""";

    /// <summary>Posts an Anthropic Messages body to <c>/v1/messages</c> (with <c>anthropic-version</c>) and reads the named events.</summary>
    public static async Task<(HttpResponseMessage Response, List<NamedSse.Event> Events, string Raw)> MessagesStreamAsync(this HttpClient client, string json, Action<HttpRequestMessage>? configure = null)
    {
        var response = await client.PostAsync(json, MessagesPath, r =>
        {
            r.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
            configure?.Invoke(r);
        });
        var raw = await response.Content.ReadAsStringAsync();
        return (response, response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? NamedSse.Parse(raw) : [], raw);
    }

    public static void Bearer(this HttpRequestMessage request, string key) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
}
