using System.Security.Cryptography;

namespace Gateway.Streaming;

/// <summary>
/// Assigns the tool calls of one choice their 0-based stable index and a unique id (SPEC §5 Tools).
/// Upstreams get this wrong in many ways — 1-based or missing indices, ids repeated on every delta,
/// two calls sharing one index, duplicate ids — so each upstream delta is matched to its call
/// explicitly: an id names its call, else the upstream index does, else it continues the latest call
/// unless it names a function (a new call).
/// </summary>
internal sealed class ToolCallIndexer
{
    private readonly List<ToolCall> _calls = [];
    private readonly HashSet<string> _usedIds;

    /// <param name="usedIds">Ids already given out in this response (shared by all choices).</param>
    public ToolCallIndexer(HashSet<string> usedIds)
    {
        _usedIds = usedIds;
    }

    /// <summary>Number of calls seen so far.</summary>
    public int Count => _calls.Count;

    /// <summary>The call an upstream delta belongs to; a new one (with <c>IsNew</c>) when it starts a call.</summary>
    public (ToolCall Call, bool IsNew) Resolve(int? upstreamIndex, string? upstreamId, string? name, bool custom)
    {
        if (Find(upstreamIndex, upstreamId, name) is { } existing)
        {
            return (existing, false);
        }

        var call = new ToolCall(_calls.Count, upstreamIndex, upstreamId, UniqueId(upstreamId), name ?? string.Empty, custom);
        _calls.Add(call);
        return (call, true);
    }

    /// <summary>A fresh <c>call_…</c> id (24 random alphanumerics, as OpenAI's).</summary>
    public static string NewCallId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return "call_" + RandomNumberGenerator.GetString(alphabet, 24);
    }

    /// <summary>A fresh id not yet given out in this response.</summary>
    public static string NewUniqueId(HashSet<string> usedIds)
    {
        string id;
        do
        {
            id = NewCallId();
        }
        while (!usedIds.Add(id));
        return id;
    }

    private ToolCall? Find(int? upstreamIndex, string? upstreamId, string? name)
    {
        if (upstreamId is not null)
        {
            // An id names its call: a new id is a new call even if the index repeats, and a repeated id
            // under another index is a second call whose upstream reused the id.
            for (var i = _calls.Count - 1; i >= 0; i--)
            {
                if (_calls[i].UpstreamId == upstreamId
                    && (upstreamIndex is null || _calls[i].UpstreamIndex is null || _calls[i].UpstreamIndex == upstreamIndex))
                {
                    return _calls[i];
                }
            }

            return null;
        }

        if (upstreamIndex is not null)
        {
            for (var i = _calls.Count - 1; i >= 0; i--)
            {
                if (_calls[i].UpstreamIndex == upstreamIndex)
                {
                    return _calls[i];
                }
            }

            return null;
        }

        // Neither index nor id: a continuation of the latest call, unless it names a function (a new call).
        return name is null && _calls.Count > 0 ? _calls[^1] : null;
    }

    private string UniqueId(string? upstreamId) =>
        upstreamId is not null && _usedIds.Add(upstreamId) ? upstreamId : NewUniqueId(_usedIds);

    /// <summary>One call: its stable index and id, and what the upstream called it.</summary>
    internal sealed record ToolCall(int Index, int? UpstreamIndex, string? UpstreamId, string Id, string Name, bool Custom);
}
