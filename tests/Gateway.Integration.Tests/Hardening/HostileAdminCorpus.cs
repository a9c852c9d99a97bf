using System.Text;

namespace Gateway.Integration.Tests.Hardening;

/// <summary>
/// The hostile-input corpus of the admin routes that read a JSON body (<c>PUT /manage/overrides</c>,
/// <c>POST /manage/routing/decide</c>): syntax, nesting, UTF-8 and lone surrogates, field types, duplicate
/// and unknown members. Every name and string of these bodies is decoded, so each of them is tried.
/// </summary>
public static class HostileAdminCorpus
{
    /// <summary>The admin key the corpus gateway runs with (sent on every /manage case).</summary>
    public const string AdminKey = "admin-corpus";

    public const string OverridesPath = "/manage/overrides";
    public const string DecidePath = "/manage/routing/decide";

    public static readonly IReadOnlyList<string> BodyRoutes = [OverridesPath, DecidePath];

    // A valid body per route, with @name where a value goes; the defaults fill the slots not under test.
    private const string OverridesTemplate = """{"overrides":{@alias:{"targets":[{"provider":@provider,"model":@model,"weight":@weight,"channel":@channel}]}}}""";
    private const string DecideTemplate = """{"model":@model,"session":@session,"key":@key}""";

    private static readonly Dictionary<string, string> OverridesDefaults = new()
    {
        ["alias"] = "\"gpt-test\"", ["provider"] = "\"main\"", ["model"] = "\"fake-model\"", ["weight"] = "1", ["channel"] = "\"c1\"",
    };

    private static readonly Dictionary<string, string> DecideDefaults = new()
    {
        ["model"] = "\"gpt-test\"", ["session"] = "\"s-1\"", ["key"] = "\"corpus\"",
    };

    // Values of every JSON type and a few hostile shapes, tried in each slot.
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1e999", "-0", "0.5", "2147483648", "\"\"", "\" \"", "\"\\u0000\"", "\"a\\nb\"",
        "\"" + new string('x', 600) + "\"", "[]", "{}", "[\"main\"]", "{\"a\":1}", "[null]", "\"\\ud83d\\ude00\"",
    ];

    public static string Method(string path) => path == OverridesPath ? "PUT" : "POST";

    public static string Valid(string path) => Fill(path, []);

    /// <summary>Every case for one admin body route.</summary>
    public static IReadOnlyList<HostileCase> For(string path)
    {
        var method = Method(path);
        var valid = Valid(path);
        var slots = (path == OverridesPath ? OverridesDefaults : DecideDefaults).Keys.ToList();
        var cases = new List<HostileCase>();
        void Add(string name, byte[] body, Expect expect) => cases.Add(new HostileCase(name, path, body, expect, method, expect == Expect.Reject ? 400 : null));
        void Text(string name, string body, Expect expect) => Add(name, Encoding.UTF8.GetBytes(body), expect);

        string[] syntax = ["", " ", "{", "}", "[", "null", "true", "1", "\"x\"", "[]", "{\"a\"}", "{\"a\":}", "{,}", "{\"a\":1,}", "{'a':1}", "{\"a\":NaN}", "{\"a\":01}", valid + "x", valid[..^1], valid + valid];
        foreach (var body in syntax)
        {
            Text($"syntax {Shorten(body)}", body, Expect.Reject);
        }

        foreach (var depth in new[] { 65, 200, 5000 })
        {
            var deep = new string('[', depth) + new string(']', depth);
            Text($"arrays {depth} deep in a member", Fill(path, new() { [slots[^1]] = deep }), Expect.Reject);
            Text($"objects {depth} deep as the body", string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth), Expect.Reject);
        }

        byte[][] badUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]];
        foreach (var sequence in badUtf8)
        {
            var bytes = Encoding.UTF8.GetBytes(valid);
            var at = valid.IndexOf("gpt-", StringComparison.Ordinal) + 4;
            Add($"invalid UTF-8 {Convert.ToHexString(sequence)} in a value", [.. bytes[..at], .. sequence, .. bytes[at..]], Expect.Reject);
        }

        foreach (var slot in slots)
        {
            foreach (var surrogate in new[] { "\\ud800", "\\udc00", "x\\udfff\\ud800" })
            {
                Text($"lone surrogate {surrogate} in {slot}", Fill(path, new() { [slot] = "\"" + surrogate + "\"" }), Expect.Reject);
            }

            foreach (var value in Values)
            {
                // The alias is a member name: only strings fit there.
                if (slot == "alias" && !value.StartsWith('"'))
                {
                    continue;
                }

                Text($"{slot} = {Shorten(value)}", Fill(path, new() { [slot] = value }), Expect.NoServerError);
            }
        }

        Text("a lone surrogate in an unknown member's name", valid[..^1] + ",\"\\ud800\":1}", Expect.Reject);
        Text("an unknown member", valid[..^1] + ",\"x_field\":1}", Expect.Reject);
        Text("a member given twice", valid[..^1] + "," + valid[1..^1] + "}", Expect.NoServerError);
        Text("UTF-8 BOM before the body", Encoding.UTF8.GetString([0xEF, 0xBB, 0xBF]) + valid, Expect.NoServerError);
        Text("a body over 64 KiB", valid[..^1] + ",\"pad\":\"" + new string('p', 70 * 1024) + "\"}", Expect.NoServerError);
        return cases;
    }

    private static string Fill(string path, Dictionary<string, string> values)
    {
        var (template, defaults) = path == OverridesPath ? (OverridesTemplate, OverridesDefaults) : (DecideTemplate, DecideDefaults);
        foreach (var (slot, fallback) in defaults)
        {
            template = template.Replace("@" + slot, values.TryGetValue(slot, out var value) ? value : fallback, StringComparison.Ordinal);
        }

        return template;
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "…";
}
