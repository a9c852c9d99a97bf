using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.State.Tables;

namespace Gateway.State;

/// <summary>
/// Thinking blocks for OpenAI Chat clients of Anthropic- and Gemini-kind targets. OpenAI Chat has no field
/// for a thinking signature, yet Anthropic wants a tool-using turn's signed thinking back when the tool results
/// come, and Gemini each step's <c>thoughtSignature</c> (a client that drops the call's <c>extra_content</c>
/// loses it). So each such turn's blocks (text + signature, redacted blocks) are remembered under a hash of
/// the client key's name and the turn's first tool-call id — independent of sessions, which most OpenAI
/// clients never open — and put back into that turn when the client sends it again. This is the one
/// store call a request without a session may make: only an OpenAI Chat request whose model has an
/// Anthropic-kind target and that asks for reasoning, or a Gemini-kind target, and whose assistant turns
/// called tools without a signature.
/// </summary>
internal sealed class ThinkingMemory
{
    // Writes go off the response path; while the store is slow at most this many wait, later ones are skipped.
    private const int MaxPendingWrites = 256;

    private readonly StateStores _stores;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private int _pendingWrites;

    public ThinkingMemory(StateStores stores, GatewayOptions options, TimeProvider time)
    {
        _stores = stores;
        _time = time;
        _ttl = TimeSpan.FromMinutes(options.State.SessionTtlMinutes);
    }

    /// <summary>An observer that remembers the thinking of the turn it sees, if the turn calls tools.</summary>
    public ITurnObserver Recorder(string keyName, Action<Exception> onError) => new TurnRecorder(this, keyName, onError);

    /// <summary>
    /// Puts remembered thinking back into the last assistant turn that called tools, when it has none.
    /// Returns whether blocks were found.
    /// </summary>
    public async ValueTask<bool> RestoreAsync(Conversation conversation, string keyName, CancellationToken cancellationToken)
    {
        var turn = conversation.Messages.FindLast(m => m.Role == ChatRole.Assistant);
        return turn is not null && await RestoreTurnAsync(turn, keyName, cancellationToken);
    }

    /// <summary>
    /// For Gemini targets: every step of the current turn (the assistant turns since the last user text) that
    /// called tools without a signature gets its remembered one back — Gemini checks each step's first call.
    /// At most <paramref name="maxSteps"/> steps, the latest, are looked up (in parallel).
    /// </summary>
    public async ValueTask RestoreStepsAsync(Conversation conversation, string keyName, int maxSteps, CancellationToken cancellationToken)
    {
        var steps = new List<ChatMessage>();
        for (var i = conversation.Messages.Count - 1; i >= 0 && steps.Count < maxSteps; i--)
        {
            var message = conversation.Messages[i];
            if (message.Role == ChatRole.Assistant)
            {
                steps.Add(message);
            }
            else if (message.Role == ChatRole.User && message.Parts.Exists(p => p is TextPart or MediaPart))
            {
                break;
            }
        }

        await Task.WhenAll(steps.Select(step => RestoreTurnAsync(step, keyName, cancellationToken).AsTask()));
    }

    private async ValueTask<bool> RestoreTurnAsync(ChatMessage turn, string keyName, CancellationToken cancellationToken)
    {
        if (turn.Parts.Find(p => p is ToolCallPart) is not ToolCallPart first
            || turn.Parts.Exists(p => p is ReasoningPart { Signature: not null } or RedactedReasoningPart or ToolCallPart { Signature: not null }))
        {
            return false;
        }

        if (await _stores.Thinking.GetAsync(Key(keyName, first.Id), cancellationToken) is not { } record)
        {
            return false;
        }

        var blocks = Deserialize(record.Json);
        turn.Parts.RemoveAll(p => p is ReasoningPart);
        turn.Parts.InsertRange(0, blocks);
        return blocks.Count > 0;
    }

    private void Remember(string keyName, string toolCallId, List<ContentPart> blocks, Action<Exception> onError)
    {
        var json = Serialize(blocks);
        if (json.Length > JsonEntity.MaxLength)
        {
            // Too large for a table row: the turn goes back without thinking rather than failing.
            return;
        }

        if (Interlocked.Increment(ref _pendingWrites) > MaxPendingWrites)
        {
            Interlocked.Decrement(ref _pendingWrites);
            return;
        }

        var record = new JsonRecord(Key(keyName, toolCallId), json, _time.GetUtcNow() + _ttl);
        _ = Task.Run(async () =>
        {
            try
            {
                await _stores.Thinking.SaveAsync(record, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                onError(ex);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingWrites);
            }
        });
    }

    internal static string Key(string keyName, string toolCallId)
    {
        var text = string.Join('\n', "thinking", keyName.Length, keyName, toolCallId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Serialize(List<ContentPart> blocks)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var block in blocks)
            {
                writer.WriteStartObject();
                if (block is ReasoningPart reasoning)
                {
                    writer.WriteString("thinking", reasoning.Text);
                    writer.WriteString("signature", reasoning.Signature!.Encode());
                }
                else if (block is RedactedReasoningPart redacted)
                {
                    writer.WriteString("redacted", redacted.Data.Encode());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static List<ContentPart> Deserialize(string json)
    {
        var blocks = new List<ContentPart>();
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var block in document.RootElement.EnumerateArray())
            {
                if (block.TryGetProperty("redacted", out var redacted) && redacted.GetString() is { } data)
                {
                    blocks.Add(new RedactedReasoningPart(Opaque.Decode(data, ProviderKind.Anthropic)));
                }
                else if (block.TryGetProperty("signature", out var signature) && signature.GetString() is { } sig)
                {
                    blocks.Add(new ReasoningPart(block.TryGetProperty("thinking", out var text) ? text.GetString() ?? string.Empty : string.Empty, Opaque.Decode(sig, ProviderKind.Anthropic)));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return [];
        }

        return blocks;
    }

    /// <summary>Collects one answer's thinking blocks and its first tool-call id.</summary>
    private sealed class TurnRecorder(ThinkingMemory memory, string keyName, Action<Exception> onError) : ITurnObserver
    {
        private readonly List<ContentPart> _blocks = [];
        private readonly StringBuilder _text = new();
        private string? _firstToolCall;

        public void Observe(in ChatUpdate update)
        {
            if (update.Choice != 0)
            {
                return;
            }

            switch (update.Kind)
            {
                case ChatUpdateKind.ReasoningDelta:
                    _text.Append(update.Text);
                    break;
                case ChatUpdateKind.ReasoningSignature:
                    _blocks.Add(new ReasoningPart(_text.ToString(), update.Opaque));
                    _text.Clear();
                    break;
                case ChatUpdateKind.RedactedReasoning:
                    _blocks.Add(new RedactedReasoningPart(update.Opaque!));
                    break;
                case ChatUpdateKind.ToolCallStart:
                    _firstToolCall ??= update.ToolId;
                    break;
            }
        }

        public void TurnCompleted()
        {
            if (_firstToolCall is not null && _blocks.Count > 0)
            {
                memory.Remember(keyName, _firstToolCall, _blocks, onError);
            }
        }
    }
}
