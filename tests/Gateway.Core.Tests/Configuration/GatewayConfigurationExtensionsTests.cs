using Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gateway.Tests.Configuration;

public sealed class GatewayConfigurationExtensionsTests
{
    [Fact]
    public void AddGatewayConfig_InlineJsonSitsBetweenTheFileAndEnvironment()
    {
        var folder = Directory.CreateTempSubdirectory("gateway-config-json-");
        var appSettings = Path.Combine(folder.FullName, "appsettings.json");
        var file = Path.Combine(folder.FullName, "gateway.json");
        var prefix = $"GWTEST_{Guid.NewGuid():N}_";
        File.WriteAllText(appSettings, """{"Gateway":{"Auth":{"Mode":"Bearer","Keys":{"a":"sk-a-app","d":"sk-d-app"}}}}""");
        File.WriteAllText(file, """{"Gateway":{"Auth":{"Keys":{"a":"sk-a-file","b":"sk-b-file","c":"sk-c-file"}}}}""");
        Environment.SetEnvironmentVariable(prefix + "Gateway__Auth__Keys__c", "sk-c-env");
        try
        {
            var builder = new ConfigurationBuilder()
                .AddJsonFile(appSettings)
                .AddEnvironmentVariables(prefix);
            builder.AddGatewayConfig(file, """{"Gateway":{"Auth":{"Keys":{"b":"sk-b-json","c":"sk-c-json"}}}}""");

            var configuration = builder.Build();

            Assert.Equal("sk-d-app", configuration["Gateway:Auth:Keys:d"]);
            Assert.Equal("sk-a-file", configuration["Gateway:Auth:Keys:a"]);
            Assert.Equal("sk-b-json", configuration["Gateway:Auth:Keys:b"]);
            Assert.Equal("sk-c-env", configuration["Gateway:Auth:Keys:c"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Gateway__Auth__Keys__c", null);
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AddGatewayConfigJson_Providers_BindAsFromAFile()
    {
        var configuration = new ConfigurationBuilder()
            .AddGatewayConfigJson("""
                {"Gateway":{"Auth":{"Mode":"None"},
                 "Providers":{"main":{"Kind":"OpenAI","BaseUrl":"http://127.0.0.1:9/v1","ApiKey":"sk-up","Models":["m"]}}}}
                """)
            .Build();

        var options = GatewayOptionsLoader.Load(configuration);

        Assert.Equal("sk-up", options.Providers["main"].ApiKey);
    }

    [Theory]
    [InlineData("""{"Gateway":{"Auth":{"Keys":{"a":"sk-secret-1"}}""", "not valid JSON")]
    [InlineData("""["sk-secret-1"]""", "must be a JSON object")]
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/gateway-config/)", "Key Vault reference was not resolved")]
    public void AddGatewayConfigJson_Invalid_FailsNamingTheVariableWithoutTheContent(string json, string expected)
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => new ConfigurationBuilder().AddGatewayConfigJson(json));

        Assert.StartsWith("GATEWAY_CONFIG_JSON: ", Assert.Single(error.Problems), StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-1", error.Message, StringComparison.Ordinal);
    }
}
