using System.Globalization;

namespace Gateway.Configuration;

/// <summary>A set of HTTP status codes parsed from a list such as <c>408,429,500,502-504</c>.</summary>
internal sealed class StatusCodeSet
{
    private readonly bool[] _codes = new bool[600];

    private StatusCodeSet()
    {
    }

    /// <summary>True when <paramref name="status"/> is in the set.</summary>
    public bool Contains(int status) => status is >= 0 and < 600 && _codes[status];

    /// <summary>Parses a comma-separated list of codes and inclusive ranges (100–599).</summary>
    public static bool TryParse(string? text, out StatusCodeSet set, out string? error)
    {
        set = new StatusCodeSet();
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var rawPart in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = rawPart.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? rawPart : rawPart[..dash].Trim();
            var highText = dash < 0 ? rawPart : rawPart[(dash + 1)..].Trim();
            if (!int.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                || low < 100 || high > 599 || low > high)
            {
                error = $"'{rawPart}' is not a status code or range between 100 and 599";
                return false;
            }

            for (var code = low; code <= high; code++)
            {
                set._codes[code] = true;
            }
        }

        return true;
    }
}
