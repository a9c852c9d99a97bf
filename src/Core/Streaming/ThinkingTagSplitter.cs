using Gateway.Chat;

namespace Gateway.Streaming;

/// <summary>
/// Splits text that carries its reasoning in <c>&lt;thinking&gt;…&lt;/thinking&gt;</c> (a PromptTags
/// upstream) into reasoning and text updates, piece by piece: a tag split across pieces is caught by
/// holding back only a suffix that could still start it (as <see cref="ThinkingTagRewriter"/> does).
/// </summary>
internal sealed class ThinkingTagSplitter
{
    private const string OpenTag = "<thinking>";
    private const string CloseTag = "</thinking>";

    private string _held = string.Empty;
    private bool _inside;

    /// <summary>Appends the updates <paramref name="piece"/> makes (some of it may be held for the next piece).</summary>
    public void Process(string piece, List<ChatUpdate> updates)
    {
        var text = _held.Length == 0 ? piece : _held + piece;
        _held = string.Empty;
        var position = 0;
        while (position < text.Length)
        {
            var tag = _inside ? CloseTag : OpenTag;
            var found = text.IndexOf(tag, position, StringComparison.Ordinal);
            if (found >= 0)
            {
                Add(text[position..found], updates);
                _inside = !_inside;
                position = found + tag.Length;
                continue;
            }

            var hold = ThinkingTagRewriter.PartialTagSuffixLength(text.AsSpan(position), tag);
            Add(text[position..(text.Length - hold)], updates);
            _held = text[(text.Length - hold)..];
            break;
        }
    }

    /// <summary>Releases held text at the end of the answer.</summary>
    public void Flush(List<ChatUpdate> updates)
    {
        Add(_held, updates);
        _held = string.Empty;
    }

    private void Add(string text, List<ChatUpdate> updates)
    {
        if (text.Length > 0)
        {
            updates.Add(_inside ? ChatUpdate.ReasoningDelta(text) : ChatUpdate.TextDelta(text));
        }
    }
}
