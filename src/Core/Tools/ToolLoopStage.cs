using System.Text;
using Gateway.Chat;
using Gateway.Pipeline;
using Gateway.Routing;
using Gateway.Streaming;

namespace Gateway.Tools;

/// <summary>
/// The tool loop on an upstream without tools, between its decoder and the client's encoder: the model's
/// text is read under <see cref="ToolProtocol"/> and tool calls come out as real tool-call updates. Text that
/// cannot start a call streams as it comes; text that might (a reply opening with <c>{</c>, <c>[</c>, a fence
/// or a tag, or a piece that could begin the marked block) is held until decided, reported meanwhile as
/// <see cref="StreamStep.Progress"/> so the first-content timer knows the upstream is working. The finish
/// reason follows what was emitted.
/// </summary>
internal sealed class ToolLoopStage : IUpstreamDecoder
{
    private readonly IUpstreamDecoder _inner;
    private readonly ToolProtocol _protocol;
    private readonly List<ChatUpdate> _decoded = new(8);
    private readonly StringBuilder _held = new();
    private Phase _phase = Phase.Start;
    private int _calls;

    public ToolLoopStage(IUpstreamDecoder inner, ToolProtocol protocol)
    {
        _inner = inner;
        _protocol = protocol;
    }

    private enum Phase
    {
        /// <summary>Nothing but whitespace yet.</summary>
        Start,

        /// <summary>Plain text, streamed; watching for a marked block.</summary>
        Text,

        /// <summary>The reply may be call JSON as a whole: held to the end.</summary>
        Whole,

        /// <summary>A marked block began: the rest is calls, held to the end.</summary>
        Calls,
    }

    /// <summary>Tool calls this stage emitted.</summary>
    public int Calls => _calls;

    public StreamStep Decode(in SseEvent upstream, List<ChatUpdate> updates)
    {
        _decoded.Clear();
        var step = _inner.Decode(upstream, _decoded);
        if (step is StreamStep.UpstreamError or StreamStep.Malformed)
        {
            return step;
        }

        var sawText = false;
        foreach (var update in _decoded)
        {
            sawText |= update.Kind == ChatUpdateKind.TextDelta;
            Transform(update, updates);
        }

        return sawText && _held.Length > 0 ? StreamStep.Progress : step;
    }

    public bool DecodeWhole(ReadOnlySpan<byte> body, List<ChatUpdate> updates)
    {
        _decoded.Clear();
        if (!_inner.DecodeWhole(body, _decoded))
        {
            return false;
        }

        foreach (var update in _decoded)
        {
            Transform(update, updates);
        }

        return true;
    }

    public UpstreamFailure FailureOf(ReadOnlySpan<byte> data, int status, string detail) => _inner.FailureOf(data, status, detail);

    private void Transform(in ChatUpdate update, List<ChatUpdate> updates)
    {
        switch (update.Kind)
        {
            case ChatUpdateKind.TextDelta:
                OnText(update.Text ?? string.Empty, updates);
                break;
            case ChatUpdateKind.Finish:
                Decide(updates);
                updates.Add(_calls > 0 && update.Finish == FinishReason.Stop ? ChatUpdate.Finished(FinishReason.ToolCalls) : update);
                break;
            default:
                updates.Add(update);
                break;
        }
    }

    private void OnText(string piece, List<ChatUpdate> updates)
    {
        _held.Append(piece);
        if (_phase == Phase.Start)
        {
            var text = _held.ToString();
            var start = text.AsSpan().TrimStart();
            if (start.IsEmpty)
            {
                return;
            }

            _phase = start[0] is '{' or '[' or '`' or '<' ? Phase.Whole : Phase.Text;
            if (_phase == Phase.Whole && start[0] == '<' && !CouldOpenBlock(start))
            {
                _phase = Phase.Text;
            }
        }

        if (_phase == Phase.Whole && EarlyText(_held.ToString()))
        {
            _phase = Phase.Text;
        }

        if (_phase != Phase.Text)
        {
            return;
        }

        var all = _held.ToString();
        var mark = ToolReplyParser.MarkStart(all, _protocol.Nonce);
        if (mark >= 0)
        {
            Show(all[..mark].TrimEnd(), updates);
            _held.Clear().Append(all, mark, all.Length - mark);
            _phase = Phase.Calls;
            return;
        }

        // Hold back from a '<' that could still become the marked block's opening tag.
        var hold = all.LastIndexOf('<');
        if (hold < 0 || !CouldOpenBlock(all.AsSpan(hold)))
        {
            hold = all.Length;
        }

        // Trailing whitespace waits too: before a block it is dropped, before more text it goes out with it.
        var shown = all.AsSpan(0, hold).TrimEnd().Length;
        Show(all[..shown], updates);
        _held.Remove(0, shown);
    }

    // The end (a finish, or a whole answer's end): what was held becomes calls or text.
    private void Decide(List<ChatUpdate> updates)
    {
        var held = _held.ToString();
        _held.Clear();
        switch (_phase)
        {
            case Phase.Text or Phase.Start:
                Show(held, updates);
                break;
            case Phase.Whole or Phase.Calls:
                var reply = ToolReplyParser.Parse(held, _protocol);
                Show(reply.Text, updates);
                foreach (var call in _protocol.ParallelOnlyOne ? reply.Calls.Take(1) : reply.Calls)
                {
                    updates.Add(ChatUpdate.ToolCallStart(_calls, ToolCallIds.New(), call.Name, call.Custom));
                    updates.Add(ChatUpdate.ToolArguments(_calls, call.Arguments));
                    _calls++;
                }

                break;
        }

        _phase = Phase.Text;
    }

    private static void Show(string text, List<ChatUpdate> updates)
    {
        if (text.Length > 0)
        {
            updates.Add(ChatUpdate.TextDelta(text));
        }
    }

    // A piece that is, or may still grow into, "<tool_call id=…>".
    private static bool CouldOpenBlock(ReadOnlySpan<char> text)
    {
        const string prefix = "<tool_call";
        if (text.Length <= prefix.Length)
        {
            return prefix.AsSpan().StartsWith(text, StringComparison.Ordinal);
        }

        return text.StartsWith(prefix, StringComparison.Ordinal) && text.Length < 96 && text.IndexOf('>') < 0;
    }

    // A held reply that already shows it is not call JSON: a fence of another language, or a first line
    // of prose after the opening character.
    private static bool EarlyText(string held)
    {
        var text = held.TrimStart();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                return false;
            }

            var language = text[3..newline].Trim();
            return language is not ("" or "json" or "json5" or "tool_call" or "tool_calls" or "javascript" or "js");
        }

        return text.StartsWith('<') && !CouldOpenBlock(text) && !text.StartsWith("<tool_call", StringComparison.Ordinal);
    }
}
