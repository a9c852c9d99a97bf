using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gateway.Integration.Tests.Configuration;

/// <summary>The files under samples/ load as the README tells a new user to use them.</summary>
public sealed class SampleConfigTests
{
    [Fact]
    public void Demo_LoadsAsIs()
    {
        var options = Load(File.ReadAllText(SamplePath("demo.json")));

        Assert.NotEmpty(options.Providers);
    }

    [Fact]
    public void OpenAI_WithBothKeys_Loads()
    {
        var options = Load(File.ReadAllText(SamplePath("openai.json")), ("openai", "sk-test"), ("backup", "sk-or-test"));

        Assert.Equal(["openai", "backup"], options.Models.Single(m => m.Id == "gpt-4o-mini").Targets.Select(t => t.Provider));
    }

    [Fact]
    public void OpenAI_WithoutBackup_LoadsOnceTheProviderAndTheTargetNamingItAreDeleted()
    {
        // README: "or delete the backup provider and the target that names it (under Models)".
        var sample = JsonNode.Parse(File.ReadAllText(SamplePath("openai.json")))!;
        sample["Gateway"]!["Providers"]!.AsObject().Remove("backup");
        var withoutProvider = sample.ToJsonString();
        foreach (var model in sample["Gateway"]!["Models"]!.AsArray())
        {
            var targets = model!["Targets"]!.AsArray();
            foreach (var target in targets.Where(t => t!["Provider"]!.GetValue<string>() == "backup").ToList())
            {
                targets.Remove(target);
            }
        }

        var providerOnly = Assert.Throws<GatewayConfigurationException>(() => Load(withoutProvider, ("openai", "sk-test")));
        var options = Load(sample.ToJsonString(), ("openai", "sk-test"));

        Assert.Contains("'backup' is not a configured provider", providerOnly.Message, StringComparison.Ordinal);
        Assert.Equal(["openai"], options.Providers.Keys);
    }

    private static string SamplePath(string name) => Path.Combine(Repository.Root, "samples", name);

    private static GatewayOptions Load(string json, params (string Provider, string Key)[] keys)
    {
        var builder = new ConfigurationBuilder().AddGatewayConfigJson(json);
        builder.AddInMemoryCollection(keys.Select(k => KeyValuePair.Create($"Gateway:Providers:{k.Provider}:ApiKey", (string?)k.Key)));
        return GatewayOptionsLoader.Load(builder.Build());
    }
}
