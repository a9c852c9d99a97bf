using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tools;

/// <summary>
/// Reads the JSON models write when asked for JSON in plain text: strict JSON, and also unquoted or
/// single-quoted keys and strings, bare words as string values, trailing commas, raw line breaks inside
/// strings and Python's <c>True</c>/<c>False</c>/<c>None</c>. One value, nothing but whitespace after it.
/// </summary>
internal static class LooseJson
{
    private const int MaxDepth = 64;

    /// <summary>The value <paramref name="text"/> holds; null when it is not one (loosely) well-formed value.</summary>
    public static JsonNode? Parse(string text, out bool ok)
    {
        var reader = new Reader(text);
        ok = false;
        try
        {
            reader.SkipSpace();
            var value = reader.Value(0);
            reader.SkipSpace();
            ok = reader.AtEnd;
            return ok ? value : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The object <paramref name="text"/> holds, or null.</summary>
    public static JsonObject? ParseObject(string text) => Parse(text, out var ok) is JsonObject value && ok ? value : null;

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public void SkipSpace()
        {
            while (_position < text.Length)
            {
                var c = text[_position];
                if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '/')
                {
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        public JsonNode? Value(int depth)
        {
            if (depth > MaxDepth || AtEnd)
            {
                throw new FormatException();
            }

            var c = text[_position];
            switch (c)
            {
                case '{':
                    return Object(depth);
                case '[':
                    return Array(depth);
                case '"' or '\'':
                    return JsonValue.Create(QuotedString());
                default:
                    if (c == '-' || char.IsAsciiDigit(c))
                    {
                        var start = _position;
                        var number = Number();
                        if (number is not null)
                        {
                            return number;
                        }

                        _position = start;
                    }

                    var word = BareWord(inValue: true);
                    return word switch
                    {
                        "true" or "True" => JsonValue.Create(true),
                        "false" or "False" => JsonValue.Create(false),
                        "null" or "None" => null,
                        "" => throw new FormatException(),
                        _ => JsonValue.Create(word),
                    };
            }
        }

        private JsonObject Object(int depth)
        {
            _position++;
            var result = new JsonObject();
            while (true)
            {
                SkipSpace();
                if (AtEnd)
                {
                    throw new FormatException();
                }

                if (text[_position] == '}')
                {
                    _position++;
                    return result;
                }

                var key = text[_position] is '"' or '\'' ? QuotedString() : BareWord(inValue: false);
                if (key.Length == 0)
                {
                    throw new FormatException();
                }

                SkipSpace();
                if (AtEnd || text[_position] is not (':' or '='))
                {
                    throw new FormatException();
                }

                _position++;
                SkipSpace();
                result[key] = Value(depth + 1);
                SkipSpace();
                if (!AtEnd && text[_position] == ',')
                {
                    _position++;
                }
                else if (AtEnd || text[_position] != '}')
                {
                    throw new FormatException();
                }
            }
        }

        private JsonArray Array(int depth)
        {
            _position++;
            var result = new JsonArray();
            while (true)
            {
                SkipSpace();
                if (AtEnd)
                {
                    throw new FormatException();
                }

                if (text[_position] == ']')
                {
                    _position++;
                    return result;
                }

                result.Add(Value(depth + 1));
                SkipSpace();
                if (!AtEnd && text[_position] == ',')
                {
                    _position++;
                }
                else if (AtEnd || text[_position] != ']')
                {
                    throw new FormatException();
                }
            }
        }

        private string QuotedString()
        {
            var quote = text[_position++];
            var builder = new StringBuilder();
            while (_position < text.Length)
            {
                var c = text[_position++];
                if (c == quote)
                {
                    return builder.ToString();
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                if (_position >= text.Length)
                {
                    break;
                }

                var escaped = text[_position++];
                switch (escaped)
                {
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'u' when _position + 4 <= text.Length
                        && int.TryParse(text.AsSpan(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default: builder.Append(escaped); break;
                }
            }

            throw new FormatException();
        }

        private JsonValue? Number()
        {
            var start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] is '.' or 'e' or 'E' or '+' or '-'))
            {
                _position++;
            }

            // A number ends where a value ends; "2024-01-01" or "3rd" are bare words.
            var end = _position;
            if (end < text.Length && !IsValueEnd(text[end]))
            {
                return null;
            }

            var span = text.AsSpan(start, end - start);
            if (long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonValue.Create(integer);
            }

            return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)
                ? JsonValue.Create(real)
                : null;
        }

        // A key (up to ':' or '=') or an unquoted value (up to ',' '}' ']' or the line's end), trimmed.
        private string BareWord(bool inValue)
        {
            var start = _position;
            while (_position < text.Length)
            {
                var c = text[_position];
                if (inValue ? c is ',' or '}' or ']' or '\n' : c is ':' or '=' or ',' or '{' or '}' or '[' or ']' or '"' or '\'' || char.IsWhiteSpace(c))
                {
                    break;
                }

                _position++;
            }

            return text[start.._position].Trim();
        }

        private static bool IsValueEnd(char c) => char.IsWhiteSpace(c) || c is ',' or '}' or ']';
    }
}
