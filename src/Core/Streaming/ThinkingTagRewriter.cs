using System.Text;

namespace Gateway.Streaming;

/// <summary>
/// Rewrites <c>&lt;thinking&gt;…&lt;/thinking&gt;</c> to <c>&lt;think&gt;…&lt;/think&gt;</c> in the content of one choice,
/// piece by piece. A tag split across pieces is caught by holding back only the longest suffix that
/// could still start the tag being looked for; <see cref="Flush"/> releases that text at the end and
/// closes an unterminated block exactly once.
/// </summary>
internal sealed class ThinkingTagRewriter
{
    private const string OpenTag = "<thinking>";
    private const string CloseTag = "</thinking>";
    private const string OpenReplacement = "<think>";
    private const string CloseReplacement = "</think>";

    private readonly StringBuilder _output = new();
    private string _held = string.Empty;
    private bool _inside;
    private bool _flushed;

    /// <summary>True while inside a thinking block.</summary>
    public bool Inside => _inside;

    /// <summary>True when text is held back waiting for the next piece.</summary>
    public bool HasHeldText => _held.Length > 0;

    /// <summary>Returns the text to emit for <paramref name="piece"/>; may be shorter (held back) or empty.</summary>
    public string Process(string piece)
    {
        if (_flushed)
        {
            return piece;
        }

        // Fast path: nothing held and no '<' means no tag can start or complete in this piece.
        if (_held.Length == 0 && piece.IndexOf('<', StringComparison.Ordinal) < 0)
        {
            return piece;
        }

        var text = _held.Length == 0 ? piece : _held + piece;
        _held = string.Empty;
        _output.Clear();
        var position = 0;
        while (position < text.Length)
        {
            var tag = _inside ? CloseTag : OpenTag;
            var found = text.IndexOf(tag, position, StringComparison.Ordinal);
            if (found >= 0)
            {
                _output.Append(text, position, found - position);
                _output.Append(_inside ? CloseReplacement : OpenReplacement);
                _inside = !_inside;
                position = found + tag.Length;
                continue;
            }

            var hold = PartialTagSuffixLength(text.AsSpan(position), tag);
            _output.Append(text, position, text.Length - position - hold);
            _held = text[(text.Length - hold)..];
            break;
        }

        return _output.ToString();
    }

    /// <summary>Ends the choice: releases held text and closes an open block once. Later calls return "".</summary>
    public string Flush()
    {
        if (_flushed)
        {
            return string.Empty;
        }

        _flushed = true;
        var rest = _held;
        _held = string.Empty;
        return _inside ? rest + CloseReplacement : rest;
    }

    /// <summary>Whole-text rewrite for non-stream answers.</summary>
    public static string RewriteAll(string text)
    {
        var rewriter = new ThinkingTagRewriter();
        return rewriter.Process(text) + rewriter.Flush();
    }

    internal static int PartialTagSuffixLength(ReadOnlySpan<char> text, string tag)
    {
        var max = Math.Min(tag.Length - 1, text.Length);
        for (var length = max; length > 0; length--)
        {
            if (text[^length..].SequenceEqual(tag.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
