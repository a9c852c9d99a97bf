using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.FakeUpstream;

/// <summary>
/// A chat site's API (<c>POST …/v2/chats</c>): it takes <c>{request:{query,…}, session_id, exchange_id, stream}</c>
/// and answers with a UI message stream (<c>start</c> with the session ids in <c>messageMetadata</c>,
/// <c>text-delta</c>s, <c>finish</c>, <c>[DONE]</c>) or, without <c>stream</c>, <c>{content, sessionId}</c>.
/// It keeps the sessions it made: an unknown <c>session_id</c> is a 404 "session not found", as real sites
/// answer once a session expired. With <see cref="RequiredToken"/> set, any other bearer is a 401.
/// </summary>
public sealed class ChatSite
{
    private readonly ConcurrentDictionary<string, int> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _said = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>The bearer a request must carry (the managed token); null: any.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Sessions this site made, with the turns each had.</summary>
    public IReadOnlyDictionary<string, int> Sessions => _sessions;

    /// <summary>Forgets every session (as a site does when they expire).</summary>
    public void ForgetSessions()
    {
        _sessions.Clear();
        _said.Clear();
    }

    /// <summary>Answers with <paramref name="reply"/>(query), in pieces of <paramref name="pieceLength"/> characters.</summary>
    public Script Answer(Func<string, string> reply, int pieceLength = 7, TimeSpan pause = default) =>
        Answer((query, _) => reply(query), pieceLength, pause);

    /// <summary>
    /// Answers with <paramref name="reply"/>(query, everything the session was told so far including this
    /// query), in pieces of <paramref name="pieceLength"/> characters.
    /// </summary>
    public Script Answer(Func<string, string, string> reply, int pieceLength = 7, TimeSpan pause = default) => async (context, request) =>
    {
        if (RequiredToken is { } token && request.Header("Authorization") != "Bearer " + token)
        {
            await Scripts.Json("""{"error":"token expired"}""", 401)(context, request);
            return;
        }

        var body = JsonNode.Parse(request.Body)!.AsObject();
        var query = body["request"]?["query"]?.GetValue<string>() ?? string.Empty;
        var sessionId = (body["session_id"] as JsonValue)?.GetValue<string>();
        if (sessionId is not null && !_sessions.ContainsKey(sessionId))
        {
            await Scripts.Json("""{"error":"session not found"}""", 404)(context, request);
            return;
        }

        sessionId ??= "site-session-" + Interlocked.Increment(ref _next);
        _sessions.AddOrUpdate(sessionId, 1, (_, turns) => turns + 1);
        var said = _said.AddOrUpdate(sessionId, query, (_, earlier) => earlier + "\n\n" + query);
        var exchangeId = "exchange-" + Guid.NewGuid().ToString("N")[..8];
        var text = reply(query, said);
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await Scripts.Json(new JsonObject { ["content"] = text, ["sessionId"] = sessionId, ["exchangeId"] = exchangeId }.ToJsonString())(context, request);
            return;
        }

        var steps = new List<SseStep> { SseStep.Data(Start(sessionId, exchangeId)) };
        for (var i = 0; i < text.Length; i += pieceLength)
        {
            if (pause > TimeSpan.Zero)
            {
                steps.Add(SseStep.Delay((int)pause.TotalMilliseconds));
            }

            steps.Add(SseStep.Data(TextDelta(text.Substring(i, Math.Min(pieceLength, text.Length - i)))));
        }

        steps.Add(SseStep.Data(Finish()));
        steps.Add(SseStep.Done());
        await Scripts.Sse([.. steps])(context, request);
    };

    /// <summary>The echo model: "echo: " and the query's last line.</summary>
    public Script Echo() => Answer(query => "echo: " + query.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault());

    public static string Start(string? sessionId, string? exchangeId = null) =>
        new JsonObject { ["type"] = "start", ["messageMetadata"] = new JsonObject { ["sessionId"] = sessionId, ["exchangeId"] = exchangeId } }.ToJsonString();

    public static string TextDelta(string text) => new JsonObject { ["type"] = "text-delta", ["id"] = "t0", ["delta"] = text }.ToJsonString();

    public static string Finish(string reason = "stop") => new JsonObject { ["type"] = "finish", ["finishReason"] = reason }.ToJsonString();

    public static string Error(string text) => new JsonObject { ["type"] = "error", ["errorText"] = text }.ToJsonString();

    /// <summary>The nonce of the gateway's tool instructions in <paramref name="query"/> (null when the query has none).</summary>
    public static string? Nonce(string query)
    {
        var start = query.IndexOf("<tool_call id=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "<tool_call id=\"".Length;
        var end = query.IndexOf('"', start);
        return end > start ? query[start..end] : null;
    }

    /// <summary>A reply that calls <paramref name="tool"/> the way the gateway's instructions ask.</summary>
    public static string Call(string nonce, string tool, object arguments) =>
        $"<tool_call id=\"{nonce}\">{JsonSerializer.Serialize(new { name = tool, arguments })}</tool_call>";
}
