using System.Globalization;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>Builds a <c>Gateway</c> configuration as flat keys, the way environment variables would.</summary>
public sealed class TestConfig
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Gateway:Auth:Mode"] = "None",
        ["Gateway:Limits:RequestsPerSecond"] = "0",
    };

    private int _models;

    public IReadOnlyDictionary<string, string?> Values => _values;

    public TestConfig Set(string key, object? value)
    {
        _values[key.StartsWith("Gateway:", StringComparison.Ordinal) ? key : "Gateway:" + key] = Convert.ToString(value, CultureInfo.InvariantCulture);
        return this;
    }

    public TestConfig Remove(string key)
    {
        _values.Remove(key.StartsWith("Gateway:", StringComparison.Ordinal) ? key : "Gateway:" + key);
        return this;
    }

    /// <summary>An OpenAI-kind provider with a static model list (no model-list fetch).</summary>
    public TestConfig Provider(string id, string baseUrl, params string[] models)
    {
        Set($"Providers:{id}:Kind", "OpenAI");
        Set($"Providers:{id}:BaseUrl", baseUrl);
        Set($"Providers:{id}:ApiKey", "sk-upstream-" + id);
        for (var i = 0; i < models.Length; i++)
        {
            Set($"Providers:{id}:Models:{i}", models[i]);
        }

        return this;
    }

    /// <summary>An Anthropic-kind provider with a static model list, on the fake upstream's Anthropic routes.</summary>
    public TestConfig AnthropicProvider(string id, string baseUrl, params string[] models)
    {
        Provider(id, baseUrl, models);
        return Set($"Providers:{id}:Kind", "Anthropic");
    }

    /// <summary>A Gemini-kind provider with a static model list, on the fake upstream's Gemini routes.</summary>
    public TestConfig GeminiProvider(string id, string baseUrl, params string[] models)
    {
        Provider(id, baseUrl, models);
        Set($"Providers:{id}:ApiKey", "gemini-key-" + id);
        return Set($"Providers:{id}:Kind", "Gemini");
    }

    /// <summary>A chat-site provider (no native tools) with a static model list, on the fake upstream's <c>/v2/chats</c>.</summary>
    public TestConfig ChatSiteProvider(string id, string baseUrl, params string[] models)
    {
        Provider(id, baseUrl, models);
        return Set($"Providers:{id}:Kind", "ChatSite");
    }

    public TestConfig ProviderSetting(string id, string setting, object? value) => Set($"Providers:{id}:{setting}", value);

    /// <summary>A public model id with targets given as (provider, upstream model).</summary>
    public TestConfig Model(string id, params (string Provider, string Model)[] targets)
    {
        var index = _models++;
        Set($"Models:{index}:Id", id);
        for (var i = 0; i < targets.Length; i++)
        {
            Set($"Models:{index}:Targets:{i}:Provider", targets[i].Provider);
            Set($"Models:{index}:Targets:{i}:Model", targets[i].Model);
        }

        return this;
    }

    /// <summary>Sets a property on target <paramref name="target"/> of model number <paramref name="model"/>.</summary>
    public TestConfig TargetSetting(int model, int target, string setting, object? value) => Set($"Models:{model}:Targets:{target}:{setting}", value);

    /// <summary>Bearer mode with the given named keys.</summary>
    public TestConfig Bearer(params (string Name, string Key)[] keys)
    {
        Set("Auth:Mode", "Bearer");
        foreach (var (name, key) in keys)
        {
            Set($"Auth:Keys:{name}", key);
        }

        return this;
    }

    /// <summary>One provider "main" on <paramref name="baseUrl"/> serving public model "gpt-test" as "fake-model".</summary>
    public static TestConfig Single(string baseUrl) =>
        new TestConfig().Provider("main", baseUrl, "fake-model").Model("gpt-test", ("main", "fake-model"));

    /// <summary>Providers "a" and "b" serving "gpt-test", "a" first with all the weight.</summary>
    public static TestConfig Pair(string baseUrlA, string baseUrlB) =>
        new TestConfig()
            .Provider("a", baseUrlA, "fake-model")
            .Provider("b", baseUrlB, "fake-model")
            .ProviderSetting("b", "Weight", 0)
            .Model("gpt-test", ("a", "fake-model"), ("b", "fake-model"));
}
