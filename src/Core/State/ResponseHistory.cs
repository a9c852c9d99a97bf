using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.State.Tables;

namespace Gateway.State;

/// <summary>
/// Kept OpenAI Responses (<c>State:KeepResponses</c>, off by default): each kept response stores the input
/// items its request brought, its output items and the id it continued from, under a hash of the client
/// key's name and its id — so only the key that made it can continue from it. <c>previous_response_id</c>
/// rebuilds the whole history by following those links. A response too large for one record is not kept
/// (continuing from it is then a 400 <c>previous_response_not_found</c>, like an expired one).
/// </summary>
internal sealed class ResponseHistory
{
    // Links followed at most when rebuilding one history.
    private const int MaxDepth = 1000;

    private readonly StateStores _stores;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;

    public ResponseHistory(StateStores stores, GatewayOptions options, TimeProvider time)
    {
        _stores = stores;
        _time = time;
        _ttl = TimeSpan.FromMinutes(options.State.SessionTtlMinutes);
        Enabled = options.State.KeepResponses;
    }

    /// <summary>Responses are kept (<c>State:KeepResponses</c>).</summary>
    public bool Enabled { get; }

    /// <summary>The items of the conversation up to and including <paramref name="responseId"/>'s output, oldest first; null when it is not known.</summary>
    public async ValueTask<List<string>?> LoadAsync(string keyName, string responseId, CancellationToken cancellationToken)
    {
        var links = new List<List<string>>();
        string? id = responseId;
        while (id is not null)
        {
            if (links.Count == MaxDepth || await _stores.Responses.GetAsync(Key(keyName, id), cancellationToken) is not { } record)
            {
                return null;
            }

            using var document = JsonDocument.Parse(record.Json);
            var root = document.RootElement;
            links.Add([.. root.GetProperty("items").EnumerateArray().Select(item => item.GetRawText())]);
            id = root.TryGetProperty("previous", out var previous) && previous.ValueKind == JsonValueKind.String ? previous.GetString() : null;
        }

        links.Reverse();
        return [.. links.SelectMany(items => items)];
    }

    /// <summary>An observer that keeps the response <paramref name="output"/> describes once it completed.</summary>
    public ITurnObserver Keeper(string keyName, Chat.ChatRequest request, IKeptOutput output, Action<Exception> onError) =>
        new ResponseKeeper(this, keyName, request, output, onError);

    private async ValueTask KeepAsync(string keyName, Chat.ChatRequest request, IKeptOutput output, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            if (request.PreviousResponseId is { } previous)
            {
                writer.WriteString("previous", previous);
            }

            writer.WriteStartArray("items");
            foreach (var item in request.KeptInput ?? [])
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            output.WriteOutputItems(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var json = Encoding.UTF8.GetString(stream.ToArray());
        if (json.Length > JsonEntity.MaxLength)
        {
            return;
        }

        await _stores.Responses.SaveAsync(new JsonRecord(Key(keyName, output.ResponseId), json, _time.GetUtcNow() + _ttl), cancellationToken);
    }

    internal static string Key(string keyName, string responseId)
    {
        var text = string.Join('\n', "response", keyName.Length, keyName, responseId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Keeps the response when it completed, before the client gets its last event.</summary>
    private sealed class ResponseKeeper(ResponseHistory history, string keyName, Chat.ChatRequest request, IKeptOutput output, Action<Exception> onError) : ITurnObserver
    {
        private bool _completed;

        public void Observe(in Chat.ChatUpdate update)
        {
        }

        public void TurnCompleted() => _completed = true;

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (!_completed)
            {
                return;
            }

            try
            {
                await history.KeepAsync(keyName, request, output, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The answer is not held back for the store: the client gets it, and continuing from it fails cleanly.
                onError(ex);
            }
        }
    }
}
