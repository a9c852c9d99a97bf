using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>Ready-made scripts: JSON answers, statuses, scripted SSE, resets, hangs, the echo model.</summary>
public static class Scripts
{
    /// <summary>
    /// With a fixed chunk count (<c>--chunks</c>), a stream for this model has one content chunk (after the same
    /// pause): the bench times many of them for time-to-first-content percentiles, and passes thousands
    /// through the gateway before its memory reading.
    /// </summary>
    public const string ShortModel = "echo-short";

    /// <summary>
    /// The text of a bench stream's content chunk (with <c>--chunks</c>) starts with this and the <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp taken just before the chunk was written (<c>@sent:123456789 </c>). On Linux the timestamp is the
    /// system's monotonic clock, the same in every process, so a client on the same machine can tell how long the
    /// chunk took to reach it whatever the pause before it took (the bench's first-content delivery).
    /// </summary>
    public const string SentStampPrefix = "@sent:";

    public static Script Json(string body, int status = 200, IDictionary<string, string>? headers = null) => async (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        await context.Response.WriteAsync(body, context.RequestAborted);
    };

    public static Script Status(int status, string? message = null, string? retryAfter = null) =>
        Json(
            new JsonObject { ["error"] = new JsonObject { ["message"] = message ?? $"fake upstream status {status}", ["type"] = "fake_error" } }.ToJsonString(),
            status,
            retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    /// <summary>An SSE response made of <paramref name="steps"/>, flushed step by step.</summary>
    public static Script Sse(params SseStep[] steps) => Sse("text/event-stream", steps);

    public static Script Sse(string contentType, params SseStep[] steps) => async (context, _) =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(context.RequestAborted);
        foreach (var step in steps)
        {
            switch (step)
            {
                case SseStep.Raw raw:
                    await context.Response.Body.WriteAsync(raw.Bytes, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    break;
                case SseStep.Fresh fresh:
                    await context.Response.Body.WriteAsync(fresh.Bytes(), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    break;
                case SseStep.Pause pause:
                    await Task.Delay(pause.Duration, context.RequestAborted);
                    break;
                case SseStep.Reset:
                    context.Abort();
                    return;
                case SseStep.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
            }
        }
    };

    /// <summary>The connection is dropped before any response.</summary>
    public static Script Reset() => (context, _) =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    /// <summary>No response at all until the client gives up.</summary>
    public static Script Hang() => async (context, _) => await Task.Delay(Timeout.Infinite, context.RequestAborted);

    /// <summary>Waits, then runs <paramref name="then"/>.</summary>
    public static Script After(TimeSpan delay, Script then) => async (context, request) =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await then(context, request);
    };

    /// <summary>
    /// The demo and bench model: answers with the last user message ("echo: …"), as JSON or, when the
    /// request streams, as a role chunk, one chunk per word (<paramref name="chunkDelay"/> apart), a finish
    /// chunk, a usage chunk and [DONE]. With <paramref name="streamChunks"/> the stream has that many
    /// content chunks instead, except for the model <see cref="ShortModel"/>, whose stream has one; each chunk's text is
    /// then the time it was written (<see cref="SentStampPrefix"/>).
    /// </summary>
    public static Script Echo(TimeSpan chunkDelay = default, int streamChunks = 0) => async (context, request) =>
    {
        if (!TryReadEcho(request.Body, out var model, out var text, out var stream))
        {
            await Json("""{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}""", 400)(context, request);
            return;
        }

        model ??= "echo";
        if (!stream)
        {
            await Json(Chunks.Completion(text, model: model))(context, request);
            return;
        }

        var steps = new List<SseStep> { SseStep.Data(Chunks.Role(model: model)) };
        var pieces = streamChunks > 0
            ? Enumerable.Range(0, model == ShortModel ? 1 : streamChunks).Select(i => $"tok{i} ").ToArray()
            : text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToArray();
        foreach (var piece in pieces)
        {
            if (chunkDelay > TimeSpan.Zero)
            {
                steps.Add(new SseStep.Pause(chunkDelay));
            }

            steps.Add(streamChunks > 0
                ? new SseStep.Fresh(() => Encoding.UTF8.GetBytes("data: " + Chunks.Content(SentStampPrefix + System.Diagnostics.Stopwatch.GetTimestamp().ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", model: model) + "\n\n"))
                : SseStep.Data(Chunks.Content(piece, model: model)));
        }

        steps.Add(SseStep.Data(Chunks.Finish()));
        steps.Add(SseStep.Data(Chunks.Usage(5, pieces.Length)));
        steps.Add(SseStep.Done());
        await Sse([.. steps])(context, request);
    };

    /// <summary>
    /// The echo model in Anthropic's format: the last user text ("echo: …") as a message, or streamed as
    /// message_start, one text block with a delta per word (<paramref name="chunkDelay"/> apart), message_delta
    /// and message_stop. Usage: 5 input tokens, one output token per word.
    /// </summary>
    public static Script AnthropicEcho(TimeSpan chunkDelay = default, int streamChunks = 0) => async (context, request) =>
    {
        if (!TryReadEcho(request.Body, out _, out var text, out var stream))
        {
            await Json(AnthropicEvents.ErrorBody("invalid_request_error", "There was an error parsing the body of your request."), 400)(context, request);
            return;
        }

        var words = streamChunks > 0
            ? Enumerable.Range(0, streamChunks).Select(i => $"tok{i} ").ToArray()
            : text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToArray();
        if (!stream)
        {
            await Json(AnthropicEvents.Message(new JsonArray(AnthropicEvents.TextBlock(text)), inputTokens: 5, outputTokens: words.Length))(context, request);
            return;
        }

        var steps = new List<SseStep> { AnthropicEvents.MessageStart(5), AnthropicEvents.TextStart(0) };
        foreach (var word in words)
        {
            if (chunkDelay > TimeSpan.Zero)
            {
                steps.Add(new SseStep.Pause(chunkDelay));
            }

            steps.Add(AnthropicEvents.TextDelta(0, word));
        }

        steps.AddRange([AnthropicEvents.BlockStop(0), AnthropicEvents.MessageDelta("end_turn", words.Length), AnthropicEvents.MessageStop()]);
        await Sse([.. steps])(context, request);
    };

    // What the echo models read from a request; false when a real API would refuse the body as unreadable
    // (not JSON, a repeated key it cannot place, a string that is not valid Unicode).
    private static bool TryReadEcho(byte[] json, out string? model, out string text, out bool stream)
    {
        model = null;
        text = string.Empty;
        stream = false;
        try
        {
            var body = JsonNode.Parse(json) as JsonObject;
            model = body?["model"]?.GetValue<string>();
            text = "echo: " + LastUserText(body);
            stream = body?["stream"]?.GetValue<bool>() == true;
            return true;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static string LastUserText(JsonObject? body)
    {
        if (body?["messages"] is not JsonArray messages)
        {
            return string.Empty;
        }

        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is JsonObject message && message["role"]?.GetValue<string>() == "user")
            {
                return message["content"] switch
                {
                    JsonValue value when value.TryGetValue<string>(out var s) => s,
                    JsonArray parts => string.Join(" ", parts.OfType<JsonObject>().Where(p => p["type"]?.GetValue<string>() is null or "text").Select(p => p["text"]?.GetValue<string>()).Where(t => t is not null)),
                    _ => string.Empty,
                };
            }
        }

        return string.Empty;
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
