namespace Gateway.Json;

/// <summary>
/// Follows JSON text that arrives in pieces and tells when one top-level object or array is closed
/// (brackets outside strings balanced), without parsing it. Used to learn that a streamed tool call's
/// arguments are complete.
/// </summary>
internal sealed class JsonCompleteness
{
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private bool _opened;

    /// <summary>An object or array was opened and has been closed again.</summary>
    public bool IsComplete => _opened && _depth == 0 && !_inString;

    public void Append(string piece)
    {
        foreach (var c in piece)
        {
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (c == '\\')
                {
                    _escaped = true;
                }
                else if (c == '"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    _inString = true;
                    break;
                case '{' or '[':
                    _depth++;
                    _opened = true;
                    break;
                case '}' or ']':
                    _depth--;
                    break;
            }
        }
    }
}
