using System.Text.Json;
using Gateway.Providers;
using Gateway.State;

namespace Gateway.Admin;

/// <summary>
/// The body of <c>PUT /manage/overrides</c>, read and checked like configuration:
/// <c>{"overrides":{"&lt;alias&gt;":{"targets":[{"provider","model"?,"weight"?,"channel"?}]}}}</c>. Every problem
/// is a 400 naming the field (<c>overrides.&lt;alias&gt;.targets[0].weight</c>); nothing is written then.
/// </summary>
internal static class OverrideDocument
{
    public const int MaxAliases = OverrideDocumentStore.MaxOperations;
    public const int MaxTargets = 16;
    private const int MaxText = 256;

    /// <summary>The overrides in <paramref name="body"/>, or the first problem found (<paramref name="param"/> names the field).</summary>
    public static List<ModelOverride>? TryRead(ReadOnlyMemory<byte> body, ProviderRegistry providers, DateTimeOffset now, out string? param, out string? problem)
    {
        if (AdminBody.TryParse(body, out param, out problem) is not { } document)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "The body must be a JSON object: {\"overrides\": {\"<alias>\": {\"targets\": [...]}}}.";
                return null;
            }

            if (Unknown(root, "", out param, "overrides") || !root.TryGetProperty("overrides", out var overrides) || overrides.ValueKind != JsonValueKind.Object)
            {
                problem = param is null ? "Required: an object of aliases." : "Unknown field.";
                param ??= "overrides";
                return null;
            }

            var result = new List<ModelOverride>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var alias in overrides.EnumerateObject())
            {
                var at = "overrides." + alias.Name;
                if (!IsText(alias.Name))
                {
                    (param, problem) = (at, $"An alias must be 1 to {MaxText} characters without control characters.");
                    return null;
                }

                if (!seen.Add(alias.Name))
                {
                    (param, problem) = (at, "The alias appears twice.");
                    return null;
                }

                if (result.Count == MaxAliases)
                {
                    (param, problem) = ("overrides", $"At most {MaxAliases} aliases.");
                    return null;
                }

                if (ReadAlias(alias.Value, at, providers, out param, out problem) is not { } targets)
                {
                    return null;
                }

                result.Add(new ModelOverride(alias.Name, targets, now));
            }

            return result;
        }
    }

    private static List<OverrideTarget>? ReadAlias(JsonElement value, string at, ProviderRegistry providers, out string? param, out string? problem)
    {
        param = null;
        problem = null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            (param, problem) = (at, "Each alias must be an object with \"targets\".");
            return null;
        }

        if (Unknown(value, at + ".", out param, "targets"))
        {
            problem = "Unknown field.";
            return null;
        }

        if (!value.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Array || targets.GetArrayLength() == 0)
        {
            (param, problem) = (at + ".targets", "Required: a non-empty array of targets.");
            return null;
        }

        if (targets.GetArrayLength() > MaxTargets)
        {
            (param, problem) = (at + ".targets", $"At most {MaxTargets} targets.");
            return null;
        }

        var result = new List<OverrideTarget>();
        var index = 0;
        foreach (var target in targets.EnumerateArray())
        {
            var here = $"{at}.targets[{index++}]";
            if (ReadTarget(target, here, providers, out param, out problem) is not { } read)
            {
                return null;
            }

            result.Add(read);
        }

        return result;
    }

    private static OverrideTarget? ReadTarget(JsonElement target, string at, ProviderRegistry providers, out string? param, out string? problem)
    {
        param = null;
        problem = null;
        if (target.ValueKind != JsonValueKind.Object)
        {
            (param, problem) = (at, "A target must be an object with \"provider\".");
            return null;
        }

        if (Unknown(target, at + ".", out param, "provider", "model", "weight", "channel"))
        {
            problem = "Unknown field.";
            return null;
        }

        if (!target.TryGetProperty("provider", out var providerValue) || providerValue.ValueKind != JsonValueKind.String || providerValue.GetString() is not { Length: > 0 } provider)
        {
            (param, problem) = (at + ".provider", "Required: the id of a configured provider.");
            return null;
        }

        if (!providers.TryGet(provider, out var known))
        {
            (param, problem) = (at + ".provider", $"Unknown provider '{Shorten(provider)}'; configured: {string.Join(", ", providers.All.Select(p => p.Id))}.");
            return null;
        }

        string? model = null;
        if (target.TryGetProperty("model", out var modelValue) && modelValue.ValueKind != JsonValueKind.Null)
        {
            if (modelValue.ValueKind != JsonValueKind.String || !IsText(modelValue.GetString()))
            {
                (param, problem) = (at + ".model", $"The upstream model id must be a string of 1 to {MaxText} characters without control characters (omit it to use the alias).");
                return null;
            }

            model = modelValue.GetString();
        }

        double? weight = null;
        if (target.TryGetProperty("weight", out var weightValue) && weightValue.ValueKind != JsonValueKind.Null)
        {
            if (weightValue.ValueKind != JsonValueKind.Number || !weightValue.TryGetDouble(out var w) || !double.IsFinite(w) || w < 0 || w > 1_000_000)
            {
                (param, problem) = (at + ".weight", "The weight must be a number from 0 to 1000000 (omit it for the provider's Weight).");
                return null;
            }

            weight = w;
        }

        string? channel = null;
        if (target.TryGetProperty("channel", out var channelValue) && channelValue.ValueKind != JsonValueKind.Null)
        {
            // Sent upstream as the X-Channel header: visible ASCII only.
            if (channelValue.ValueKind != JsonValueKind.String || channelValue.GetString() is not { Length: > 0 and <= 128 } text || text.Any(c => c is < '!' or > '~'))
            {
                (param, problem) = (at + ".channel", "The channel must be 1 to 128 visible ASCII characters (it is sent as the X-Channel header).");
                return null;
            }

            channel = text;
        }

        return new OverrideTarget(known.Id, model, weight, channel);
    }

    private static bool Unknown(JsonElement value, string prefix, out string? param, params string[] allowed)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                param = prefix + Shorten(property.Name);
                return true;
            }
        }

        param = null;
        return false;
    }

    private static bool IsText(string? value) => value is { Length: > 0 and <= MaxText } && !value.Any(char.IsControl) && value.Trim().Length > 0;

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
