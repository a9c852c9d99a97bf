using System.IO.Compression;
using System.Text;

namespace Gateway.Integration.Tests.Hardening;

/// <summary>
/// The generated hostile-input corpus: JSON syntax and semantics, nesting, UTF-8, field types, message and
/// tool shapes, sizes, headers, methods and routes, per inbound route. Raw HTTP framing is in
/// <see cref="HostileFraming"/>. Every case must leave the gateway without a 5xx.
/// </summary>
public static class HostileCorpus
{
    /// <summary>The body size limit the corpus gateway runs with.</summary>
    public const int MaxRequestBytes = 256 * 1024;

    /// <summary>The client key every case sends unless it is an auth case.</summary>
    public const string ClientKey = "sk-corpus";

    /// <summary>The one nesting limit of the request path (SPEC: one limit for every parser).</summary>
    public const int DepthLimit = 64;

    public const string ChatPath = "/v1/chat/completions";
    public const string MessagesPath = "/v1/messages";
    public const string CountTokensPath = "/v1/messages/count_tokens";
    public const string ResponsesPath = "/v1/responses";
    public const string CompactPath = "/v1/responses/compact";

    /// <summary>The inbound routes the corpus runs against, with the members a valid body needs.</summary>
    public static readonly IReadOnlyList<string> ChatRoutes = [ChatPath, "/chat/completions", "/", MessagesPath, CountTokensPath, ResponsesPath, CompactPath];

    public static bool IsAnthropic(string path) => path.StartsWith(MessagesPath, StringComparison.Ordinal);

    public static bool IsResponses(string path) => path is ResponsesPath or CompactPath;

    // The member holding the conversation: Responses calls it input (its items accept the message shape).
    private static string Msgs(string path) => IsResponses(path) ? "input" : "messages";

    /// <summary>Every case for one inbound route.</summary>
    public static IReadOnlyList<HostileCase> For(string path)
    {
        var cases = new List<HostileCase>();
        cases.AddRange(Syntax(path));
        cases.AddRange(Types(path));
        cases.AddRange(Nesting(path));
        cases.AddRange(Utf8(path));
        cases.AddRange(Sizes(path));
        cases.AddRange(HeaderCases(path));
        cases.AddRange(Methods(path));
        cases.AddRange(Duplicates(path));
        return cases;
    }

    /// <summary>Paths no route serves: a 404 in the OpenAI envelope, with its request id, whatever they look like.</summary>
    public static IReadOnlyList<HostileCase> UnknownRoutes()
    {
        string[] paths =
        [
            "/favicon.ico", "/.env", "/robots.txt", "/v1/chat/completions.json", "/index.html", "/v1/chat", "/v2/chat/completions",
            "/v1/messages/x", "/v1/messages/count_tokens/x", "/v1/embeddings", "/v1/models/x/y", "/manage", "/manage/x", "/admin",
            "/%2e%2e/%2e%2e/etc/passwd", "/v1/../../etc/passwd", "/a/b/c/d/e/f/g", "/wp-login.php",
            "/.git/config", "/v1/completions", "/v1//chat//completions/x", "/" + new string('a', 2000), "/v1/chat/completions.",
        ];
        var cases = new List<HostileCase>();
        foreach (var path in paths)
        {
            cases.Add(new HostileCase("unknown route", path, Encoding.UTF8.GetBytes(Base(ChatPath)), Expect.Reject, Status: 404));
            cases.Add(new HostileCase("unknown route", path, [], Expect.Reject, Method: "GET", Status: 404));
        }

        // Kestrel itself refuses a NUL in the path with its bare 400, before any gateway code.
        cases.Add(new HostileCase("NUL in the path", "/v1/chat/completions%00", Encoding.UTF8.GetBytes(Base(ChatPath)), Expect.NoServerError));

        return cases;
    }

    private static string Base(string path) => IsResponses(path)
        ? """{"model":"gpt-test","input":[{"role":"user","content":"hello"}]}"""
        : path == CountTokensPath
        ? """{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}"""
        : IsAnthropic(path)
            ? """{"model":"gpt-test","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}"""
            : """{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}""";

    private static HostileCase Reject(string path, string name, string body, int? status = 400) =>
        new(name, path, Encoding.UTF8.GetBytes(body), Expect.Reject, Status: status);

    private static HostileCase Reject(string path, string name, byte[] body, int? status = 400) =>
        new(name, path, body, Expect.Reject, Status: status);

    private static HostileCase Accept(string path, string name, string body) =>
        new(name, path, Encoding.UTF8.GetBytes(body), Expect.NoServerError);

    // A valid body of this route with one top-level member replaced (or added) with raw JSON.
    private static string With(string path, string member, string rawValue)
    {
        var body = Base(path);
        var marker = "\"" + member + "\":";
        var at = body.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return body[..^1] + "," + marker + rawValue + "}";
        }

        // Replace the member's value: the members of the base bodies are simple enough to find their end.
        var start = at + marker.Length;
        var end = ValueEnd(body, start);
        return body[..start] + rawValue + body[end..];
    }

    private static int ValueEnd(string json, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']' when depth == 0:
                    return i;
                case '}' or ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    return i;
            }
        }

        return json.Length;
    }

    private static string Messages(string rawMessage) => "[" + rawMessage + "]";

    private static IEnumerable<HostileCase> Syntax(string path)
    {
        var valid = Base(path);

        // Every truncation of a valid body.
        for (var cut = 0; cut < valid.Length; cut++)
        {
            yield return Reject(path, $"truncated at {cut}", valid[..cut]);
        }

        string[] broken =
        [
            valid + "x", valid + "{}", valid + ",", "{}" + valid, valid.Replace("{", "{,", StringComparison.Ordinal)[..^0],
            valid.Replace(":", "", StringComparison.Ordinal), valid.Replace("\"model\"", "model", StringComparison.Ordinal),
            valid.Replace("\"", "'", StringComparison.Ordinal), "// comment\n" + valid, valid[..^1] + "/* c */}", valid[..^1] + ",}",
            valid.Replace("[", "[,", StringComparison.Ordinal), "{\"model\":\"gpt-test\",,\"messages\":[]}", "{\"model\" \"gpt-test\"}",
            "null", "true", "false", "0", "123", "-1", "\"text\"", "[]", "[{}]", "[" + valid + "]", " ", "\n\t", "{", "}", "{}{}",
            valid[..^1] + ",\"x\":NaN}", valid[..^1] + ",\"x\":Infinity}", valid[..^1] + ",\"x\":-Infinity}", valid[..^1] + ",\"x\":undefined}",
            valid[..^1] + ",\"x\":0x10}", valid[..^1] + ",\"x\":01}", valid[..^1] + ",\"x\":+1}", valid[..^1] + ",\"x\":.5}",
            valid[..^1] + ",\"x\":1.}", valid[..^1] + ",\"x\":1e}", valid[..^1] + ",\"x\":\"\\x41\"}", valid[..^1] + ",\"x\":\"\\u12\"}",
            valid[..^1] + ",\"x\":\"\\u12G4\"}", valid[..^1] + ",\"x\":\"a\u0001b\"}", valid[..^1] + ",\"x\":\"a\nb\"}",
            valid[..^1] + ",\"x\":\"a\tb\"}", valid[..^1] + ",\"x\":tru}", valid[..^1] + ",\"x\":nul}", valid[..^1] + ",\"x\":[1,]}",
            valid[..^1] + ",\"x\":{\"a\"}}", valid[..^1] + ",\"x\":{1:2}}", valid[..^1] + ",\"x\":\"unterminated}",
            valid.Replace("\"hello\"", "\"hel\"lo\"", StringComparison.Ordinal), valid.Replace("\"hello\"", "hello", StringComparison.Ordinal),
        ];
        for (var i = 0; i < broken.Length; i++)
        {
            yield return Reject(path, $"broken syntax {i}", broken[i]);
        }

        yield return Reject(path, "empty body", string.Empty);
        yield return Reject(path, "NUL bytes", new byte[] { 0, 0, 0, 0 });
        yield return Reject(path, "binary", Enumerable.Range(0, 256).Select(b => (byte)b).ToArray());
    }

    private static IEnumerable<HostileCase> Types(string path)
    {
        var anthropic = IsAnthropic(path);
        string[] notAString = ["null", "1", "1.5", "true", "[]", "{}", "[\"gpt-test\"]", "{\"id\":\"gpt-test\"}"];
        foreach (var value in notAString)
        {
            yield return Reject(path, $"model {value}", With(path, "model", value));
        }

        yield return Reject(path, "model empty", With(path, "model", "\"\""));
        yield return Reject(path, "model missing", Base(path).Replace("\"model\":\"gpt-test\",", string.Empty, StringComparison.Ordinal));
        yield return Reject(path, "model unknown", With(path, "model", "\"no-such-model\""), 404);
        yield return Reject(path, "model very long", With(path, "model", "\"" + new string('m', 10_000) + "\""), 404);
        yield return Reject(path, "model with control escapes", With(path, "model", "\"gpt-test\\u0000\\n\""), 404);

        // Responses takes a plain string as its input.
        string[] badMessages = IsResponses(path)
            ? ["null", "1", "{}", "true", "[]", "[1]", "[null]", "[\"hello\"]", "[[]]", "[true]", "[{\"type\":1}]"]
            : ["null", "1", "\"hello\"", "{}", "true", "[]", "[1]", "[null]", "[\"hello\"]", "[[]]", "[true]"];
        foreach (var value in badMessages)
        {
            yield return Reject(path, $"messages {value}", With(path, Msgs(path), value));
        }

        yield return Reject(path, "messages missing", Base(path).Replace(",\"" + Msgs(path) + "\":[{\"role\":\"user\",\"content\":\"hello\"}]", string.Empty, StringComparison.Ordinal));

        // Roles are open on the OpenAI routes (a new role reaches the upstream, which judges it); Anthropic's are three.
        string[] badRoles = anthropic ? ["null", "1", "[]", "{}", "\"\"", "\"robot\"", "\"USER\""] : ["null", "1", "[]", "{}", "true"];
        foreach (var role in badRoles)
        {
            yield return Reject(path, $"role {role}", With(path, Msgs(path), Messages($$"""{"role":{{role}},"content":"hello"}""")));
        }

        if (!anthropic)
        {
            yield return Accept(path, "role unknown", With(path, Msgs(path), Messages("""{"role":"robot","content":"hello"}""")));
            yield return Accept(path, "tool message without its fields", With(path, Msgs(path), Messages("""{"role":"tool"}""")));
        }

        yield return Reject(path, "role missing", With(path, Msgs(path), Messages("""{"content":"hello"}""")));

        string[] badContent = anthropic
            ? ["1", "true", "{}", "null", "[1]", "[null]", "[\"text\"]", "[[]]"]
            : IsResponses(path)
            ? ["1", "true", "{}", "[1]", "[null]", "[\"text\"]", "[[]]", "[{\"text\":\"x\"}]", "[{\"type\":2}]"]
            : ["1", "true", "{}", "[1]", "[null]", "[\"text\"]", "[[]]"];
        foreach (var content in badContent)
        {
            yield return Reject(path, $"content {content}", With(path, Msgs(path), Messages($$"""{"role":"user","content":{{content}}}""")));
        }

        if (anthropic)
        {
            foreach (var maxTokens in new[] { "\"16\"", "-1", "1.5", "1e400", "true", "[]", "{}", "null", "99999999999999999999" })
            {
                if (path == MessagesPath)
                {
                    yield return Reject(path, $"max_tokens {maxTokens}", With(path, "max_tokens", maxTokens));
                }
            }

            if (path == MessagesPath)
            {
                // Filled in with the provider's default rather than refused.
                yield return Accept(path, "max_tokens missing", Base(path).Replace("\"max_tokens\":16,", string.Empty, StringComparison.Ordinal));
            }

            foreach (var system in new[] { "1", "true", "{}", "[1]", "[null]", "[\"x\"]", "[{\"type\":1}]" })
            {
                yield return Reject(path, $"system {system}", With(path, "system", system));
            }

            foreach (var block in new[] { "{}", "{\"type\":1}", "{\"type\":null}", "{\"text\":\"x\"}", "{\"type\":[]}" })
            {
                yield return Reject(path, $"content block {block}", With(path, Msgs(path), Messages($$"""{"role":"user","content":[{{block}}]}""")));
            }

            foreach (var tools in new[] { "1", "\"x\"", "{}", "[1]", "[null]", "[\"x\"]", "[[]]" })
            {
                yield return Reject(path, $"tools {tools}", With(path, "tools", tools));
            }

            foreach (var thinking in new[] { "1", "\"enabled\"", "[]" })
            {
                yield return Reject(path, $"thinking {thinking}", With(path, "thinking", thinking));
            }

            foreach (var choice in new[] { "1", "\"auto\"", "[]" })
            {
                yield return Reject(path, $"tool_choice {choice}", With(path, "tool_choice", choice));
            }

            foreach (var stream in path == MessagesPath ? new[] { "\"yes\"", "1", "[]", "{}" } : [])
            {
                yield return Reject(path, $"stream {stream}", With(path, "stream", stream));
            }
        }
        else if (IsResponses(path))
        {
            foreach (var stream in new[] { "\"yes\"", "1", "[]", "{}", "\"true\"" })
            {
                yield return Reject(path, $"stream {stream}", With(path, "stream", stream));
            }

            foreach (var tools in new[] { "1", "\"x\"", "{}", "[1]", "[null]", "[\"x\"]", "[[]]", "[{\"type\":1}]", "[{\"name\":\"f\"}]" })
            {
                yield return Reject(path, $"tools {tools}", With(path, "tools", tools));
            }

            foreach (var (member, value) in new[] { ("instructions", "1"), ("instructions", "{}"), ("max_output_tokens", "-1"), ("max_output_tokens", "\"9\""), ("max_output_tokens", "1.5"), ("reasoning", "\"high\""), ("text", "1"), ("include", "\"x\""), ("previous_response_id", "1"), ("prompt_cache_key", "[]") })
            {
                yield return Reject(path, $"{member} {value}", With(path, member, value));
            }

            yield return Reject(path, "previous_response_id unknown", With(path, "previous_response_id", "\"resp_none\""));
            yield return Accept(path, "input as a string", With(path, "input", "\"hello\""));
            yield return Accept(path, "hosted tools only", With(path, "tools", "[{\"type\":\"web_search\"},{\"type\":\"file_search\",\"vector_store_ids\":[]}]"));
        }
        else
        {
            foreach (var stream in new[] { "\"yes\"", "1", "[]", "{}", "\"true\"" })
            {
                yield return Reject(path, $"stream {stream}", With(path, "stream", stream));
            }

            foreach (var options in new[] { "\"x\"", "1", "[]", "true" })
            {
                yield return Reject(path, $"stream_options {options}", With(path, "stream", "true")[..^1] + ",\"stream_options\":" + options + "}");
            }

            foreach (var n in new[] { "\"2\"", "-1", "0", "1.5", "[]", "1e400", "99999999999999999999" })
            {
                yield return Reject(path, $"n {n}", With(path, "n", n));
            }

            foreach (var tools in new[] { "1", "\"x\"", "{}", "[1]", "[null]", "[\"x\"]", "[[]]", "[{\"type\":1}]" })
            {
                yield return Reject(path, $"tools {tools}", With(path, "tools", tools));
            }

            foreach (var functions in new[] { "1", "\"x\"", "{}", "[1]", "[null]" })
            {
                yield return Reject(path, $"functions {functions}", With(path, "functions", functions));
            }

        }

        // Shapes that are odd but an upstream may accept: never a 5xx.
        yield return Accept(path, "temperature as a string", With(path, "temperature", "\"hot\""));
        yield return Accept(path, "unknown field", With(path, "x_unknown", "{\"a\":[1,2,{\"b\":null}]}"));
        yield return Accept(path, "metadata odd", With(path, "metadata", "{\"user_id\":1}"));
        yield return Accept(path, "tool_choice unknown string", With(path, "tool_choice", anthropic ? "{\"type\":\"whatever\"}" : "\"whatever\""));
        yield return Accept(path, "very many messages", With(path, Msgs(path), "[" + string.Join(",", Enumerable.Repeat("{\"role\":\"user\",\"content\":\"hi\"}", 2000)) + "]"));
        yield return Accept(path, "large number", With(path, "temperature", "1e308"));
    }

    private static IEnumerable<HostileCase> Nesting(string path)
    {
        var anthropic = IsAnthropic(path);
        foreach (var depth in new[] { DepthLimit + 1, 100, 255, 256, 257, 1000, 20_000 })
        {
            var arrays = new string('[', depth) + new string(']', depth);
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            yield return Reject(path, $"unknown field nested {depth} (arrays)", With(path, "x_deep", arrays));
            yield return Reject(path, $"unknown field nested {depth} (objects)", With(path, "x_deep", objects));
            yield return Reject(path, $"metadata nested {depth}", With(path, "metadata", "{\"x\":" + objects + "}"));
            yield return Reject(path, $"tool parameters nested {depth}", With(path, "tools", anthropic
                ? "[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\",\"properties\":" + objects + "}}]"
                : "[{\"type\":\"function\",\"function\":{\"name\":\"t\",\"parameters\":{\"type\":\"object\",\"properties\":" + objects + "}}}]"));
            yield return Reject(path, $"content nested {depth}", With(path, Msgs(path), Messages($$"""{"role":"user","content":[{"type":"text","text":"x","extra":{{objects}}}]}""")));
            if (!anthropic)
            {
                yield return Reject(path, $"stream_options nested {depth}", With(path, "stream", "true")[..^1] + ",\"stream_options\":{\"x\":" + objects + "}}");
                yield return Reject(path, $"providerOptions nested {depth}", With(path, "providerOptions", "{\"x\":" + objects + "}"));
                yield return Reject(path, $"legacy function parameters nested {depth}", With(path, "functions", $$"""[{"name":"f","parameters":{{objects}}}]"""));
            }
            else
            {
                yield return Reject(path, $"thinking nested {depth}", With(path, "thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024,\"x\":" + objects + "}"));
            }
        }

        // Exactly at the limit is fine (the root object is one level).
        var atLimit = string.Concat(Enumerable.Repeat("{\"a\":", DepthLimit - 1)) + "1" + new string('}', DepthLimit - 1);
        yield return Accept(path, "nested exactly to the limit", With(path, "x_deep", atLimit));
    }

    private static IEnumerable<HostileCase> Utf8(string path)
    {
        var valid = Base(path);
        byte[][] badSequences =
        [
            [0xFF], [0xFE], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xC3],
            [0xF8, 0x88, 0x80, 0x80, 0x80],
        ];
        foreach (var sequence in badSequences)
        {
            var hex = Convert.ToHexString(sequence);
            yield return Reject(path, $"invalid UTF-8 {hex} in content", Splice(valid, "hel", sequence));
            yield return Reject(path, $"invalid UTF-8 {hex} in model", Splice(valid, "gpt-", sequence));
            yield return Reject(path, $"invalid UTF-8 {hex} in a key", Splice(valid, "mod", sequence));
        }

        // An escaped lone surrogate is valid JSON text but no valid string: where the gateway must read the
        // value (the model id), the client is told; in content the bytes are relayed as they are.
        foreach (var surrogate in new[] { "\\ud800", "\\udc00", "\\ud800\\ud800", "\\udfff\\ud800" })
        {
            yield return Reject(path, $"lone surrogate {surrogate} in model", With(path, "model", "\"gpt" + surrogate + "\""));
            var role = With(path, Msgs(path), Messages("{\"role\":\"us" + surrogate + "\",\"content\":\"hello\"}"));
            yield return IsAnthropic(path) ? Reject(path, $"lone surrogate {surrogate} in role", role) : Accept(path, $"lone surrogate {surrogate} in role", role);
            yield return Accept(path, $"lone surrogate {surrogate} in content", valid.Replace("hello", "he" + surrogate + "llo", StringComparison.Ordinal));
            yield return Accept(path, $"lone surrogate {surrogate} in an unknown field", With(path, "x_field", "\"" + surrogate + "\""));
            if (!IsAnthropic(path))
            {
                // Legacy functions make the gateway rewrite the messages: the string must be decoded there.
                yield return Reject(path, $"lone surrogate {surrogate} in content the gateway rewrites", With(path, "functions", """[{"name":"f","parameters":{}}]""")
                    .Replace("hello", "he" + surrogate + "llo", StringComparison.Ordinal));
            }
        }

        yield return Accept(path, "UTF-8 BOM before the body", Encoding.UTF8.GetString([0xEF, 0xBB, 0xBF]) + valid);
        yield return Accept(path, "every plane in content", valid.Replace("hello", "h\u00e9\u4e2d\ud83d\ude00\\u0000\\ud83d\\ude00", StringComparison.Ordinal));
    }

    private static byte[] Splice(string json, string after, byte[] insert)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = json.IndexOf(after, StringComparison.Ordinal) + after.Length;
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private static IEnumerable<HostileCase> Sizes(string path)
    {
        var overLimit = With(path, Msgs(path), Messages("{\"role\":\"user\",\"content\":\"" + new string('x', MaxRequestBytes) + "\"}"));
        yield return Reject(path, "body over the limit", overLimit, 413);
        yield return Reject(path, "body over the limit, chunked", overLimit, 413) with { Headers = [("Transfer-Encoding", "chunked")] };
        yield return Reject(path, "whitespace over the limit", new string(' ', MaxRequestBytes + 1) + Base(path), 413);
        yield return Accept(path, "body just under the limit", With(path, "x_pad", "\"" + new string('p', MaxRequestBytes - 1000) + "\""));
        yield return Reject(path, "many members", "{" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"k{i}\":{i}")) + "}");
        yield return Accept(path, "long key names", With(path, new string('k', 50_000), "1"));
    }

    private static IEnumerable<HostileCase> HeaderCases(string path)
    {
        var valid = Encoding.UTF8.GetBytes(Base(path));
        yield return new HostileCase("no client key", path, valid, Expect.Reject, Status: 401) { Anonymous = true };
        yield return new HostileCase("wrong bearer key", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("Authorization", "Bearer sk-wrong")] };
        yield return new HostileCase("bearer without key", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("Authorization", "Bearer")] };
        yield return new HostileCase("basic auth", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("Authorization", "Basic c2stY29ycHVzOg==")] };
        yield return new HostileCase("wrong x-api-key", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("x-api-key", "sk-corpus-x")] };
        yield return new HostileCase("key prefix", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("Authorization", "Bearer sk-corp")] };
        yield return new HostileCase("very long key", path, valid, Expect.Reject, Status: 401) { Anonymous = true, Headers = [("Authorization", "Bearer " + new string('k', 6000))] };
        yield return new HostileCase("gzip body that is not gzip", path, valid, Expect.Reject, Status: 400) { Headers = [("Content-Encoding", "gzip")] };
        yield return new HostileCase("deflate body that is not deflate", path, valid, Expect.Reject, Status: 400) { Headers = [("Content-Encoding", "deflate")] };
        yield return new HostileCase("br body that is not br", path, valid, Expect.Reject, Status: 400) { Headers = [("Content-Encoding", "br")] };
        yield return new HostileCase("unsupported encoding", path, valid, Expect.Reject, Status: 415) { Headers = [("Content-Encoding", "compress")] };
        yield return new HostileCase("unsupported encoding zstd", path, valid, Expect.Reject, Status: 415) { Headers = [("Content-Encoding", "zstd")] };
        yield return new HostileCase("gzip bomb", path, GzipBomb(path), Expect.Reject, Status: 413) { Headers = [("Content-Encoding", "gzip")] };
        yield return new HostileCase("gzip of invalid JSON", path, Gzip(Encoding.UTF8.GetBytes("{\"model\":")), Expect.Reject, Status: 400) { Headers = [("Content-Encoding", "gzip")] };
        yield return new HostileCase("gzip truncated", path, Gzip(valid)[..10], Expect.Reject, Status: 400) { Headers = [("Content-Encoding", "gzip")] };
        yield return new HostileCase("gzip of a valid body", path, Gzip(valid), Expect.NoServerError) { Headers = [("Content-Encoding", "gzip")] };
        yield return new HostileCase("identity encoding", path, valid, Expect.NoServerError) { Headers = [("Content-Encoding", "identity")] };
        yield return new HostileCase("no content type", path, valid, Expect.NoServerError) { NoContentType = true };
        yield return new HostileCase("text/plain content type", path, valid, Expect.NoServerError) { NoContentType = true, Headers = [("Content-Type", "text/plain")] };
        yield return new HostileCase("hostile request id", path, valid, Expect.NoServerError) { Headers = [("x-request-id", "<script>" + new string('a', 500))] };
        yield return new HostileCase("hostile traceparent", path, valid, Expect.NoServerError) { Headers = [("traceparent", "00-zzzz-" + new string('f', 300))] };
        yield return new HostileCase("hostile session id", path, valid, Expect.NoServerError) { Headers = [("X-Session-Id", new string('s', 4000))] };
        yield return new HostileCase("hostile anthropic-version", path, valid, Expect.NoServerError) { Headers = [("anthropic-version", "2023-06-01\"," + new string('v', 1000))] };
        yield return new HostileCase("hostile anthropic-beta", path, valid, Expect.NoServerError) { Headers = [("anthropic-beta", string.Join(",", Enumerable.Repeat("x-beta", 500)))] };
    }

    private static IEnumerable<HostileCase> Methods(string path)
    {
        foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "HEAD", "TRACE", "PROPFIND" })
        {
            yield return new HostileCase($"method {method}", path, method is "GET" or "HEAD" or "TRACE" ? [] : Encoding.UTF8.GetBytes(Base(path)), Expect.Reject, Method: method, Status: 405);
        }

        // A CORS preflight is answered before anything else (no origins configured: nothing allowed, no 5xx).
        yield return new HostileCase("method OPTIONS", path, [], Expect.NoServerError, Method: "OPTIONS");
    }

    private static IEnumerable<HostileCase> Duplicates(string path)
    {
        // The last occurrence wins everywhere, as the top-level index decides; never a 5xx.
        var anthropic = IsAnthropic(path);
        yield return Accept(path, "duplicate model", Base(path)[..^1] + ",\"model\":\"gpt-test\"}");
        yield return Accept(path, "duplicate key in a message", With(path, Msgs(path), Messages("""{"role":"user","role":"user","content":"a","content":"b"}""")));
        yield return Accept(path, "duplicate key in metadata", With(path, "metadata", """{"user_id":"a","user_id":"b"}"""));
        yield return Accept(path, "duplicate key in a tool", With(path, "tools", anthropic
            ? """[{"name":"t","name":"u","input_schema":{"type":"object","type":"object"}}]"""
            : """[{"type":"function","function":{"name":"t","name":"u","parameters":{"type":"object"}}},{"type":"mcp","server_label":"x","server_label":"y"}]"""));
        if (!anthropic)
        {
            yield return Accept(path, "duplicate key in stream_options", With(path, "stream", "true")[..^1] + ",\"stream_options\":{\"include_usage\":false,\"include_usage\":true}}");
            yield return Accept(path, "duplicate key in a message with legacy functions", With(path, "functions", """[{"name":"f","parameters":{"type":"object"}}]""")
                .Replace("{\"role\":\"user\",", "{\"role\":\"user\",\"role\":\"user\",", StringComparison.Ordinal));
            yield return Accept(path, "duplicate key in function_call", With(path, "functions", """[{"name":"f","parameters":{"type":"object"}}]""")[..^1] + ",\"function_call\":{\"name\":\"f\",\"name\":\"f\"}}");
            yield return Accept(path, "duplicate key in providerOptions", With(path, "providerOptions", """{"a":{"thinking":{"budget_tokens":10}},"a":{"thinking":{"budget_tokens":20}}}"""));
            yield return Accept(path, "duplicate key in a legacy function message", With(path, "functions", """[{"name":"f","parameters":{}}]""")
                .Replace("[{\"role\":\"user\",\"content\":\"hello\"}]", """[{"role":"user","content":"hi"},{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}","name":"f"}},{"role":"function","name":"f","content":"r","content":"s"}]""", StringComparison.Ordinal));
        }
        else
        {
            yield return Accept(path, "duplicate key in a content block", With(path, Msgs(path), Messages("""{"role":"user","content":[{"type":"text","text":"a","text":"b"}]}""")));
            yield return Accept(path, "duplicate key in thinking", With(path, "thinking", """{"type":"enabled","type":"enabled","budget_tokens":1024,"budget_tokens":2048}"""));
        }
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    // A valid body followed by megabytes of spaces: tiny compressed, far over the limit decompressed.
    private static byte[] GzipBomb(string path)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var body = Encoding.UTF8.GetBytes(Base(path));
            gzip.Write(body.AsSpan(0, body.Length - 1));
            var spaces = new byte[64 * 1024];
            spaces.AsSpan().Fill((byte)' ');
            for (var i = 0; i < 160; i++)
            {
                gzip.Write(spaces);
            }

            gzip.Write("}"u8);
        }

        return output.ToArray();
    }
}
