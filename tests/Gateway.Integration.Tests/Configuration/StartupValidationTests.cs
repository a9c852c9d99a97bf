using Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Configuration;

/// <summary>Bad configuration stops the real host at start with the key named.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Auth:Mode", null, "Gateway:Auth:Mode")]
    [InlineData("Auth:Mode", "Bearer", "Gateway:Auth:Keys")]
    [InlineData("Auth:Mode", "Sometimes", "Gateway:Auth:Mode")]
    [InlineData("Providers:main:BaseUrl", "not a url", "Gateway:Providers:main:BaseUrl")]
    [InlineData("Providers:main:ChatPth", "/x", "Gateway:Providers:main:ChatPth")]
    [InlineData("Providers:main:ResponsesPath", "responses", "Gateway:Providers:main:ResponsesPath")]
    [InlineData("Providers:main:RetryableStatusCodes", "500-abc", "Gateway:Providers:main:RetryableStatusCodes")]
    [InlineData("Providers:main:UpstreamAuth:Mode", "PassThrough", null)]
    [InlineData("Providers:main:Kind", null, "Gateway:Providers:main:Kind")]
    [InlineData("Providers:main:Kind", "OpenAi-compatible", "Gateway:Providers:main:Kind: 'OpenAi-compatible' is not one of")]
    [InlineData("Providers:main:Thinking", "Sometimes", "Gateway:Providers:main:Thinking: 'Sometimes'")]
    [InlineData("Providers:main:Kind", "7", "Gateway:Providers:main:Kind: '7'")]
    [InlineData("Providers:main:MaxConcurrency", "0", "Gateway:Providers:main:MaxConcurrency")]
    [InlineData("Models:0:Targets:0:Provider", "missing", "Gateway:Models:0:Targets:0:Provider")]
    [InlineData("Routing:MaxAttempts", "0", "Gateway:Routing:MaxAttempts")]
    [InlineData("Cors:AllowedOrigins:0", "https://app.example/path", "Gateway:Cors:AllowedOrigins:0")]
    public async Task InvalidSetting_FailsStartNamingTheKey(string key, string? value, string? expectedKey)
    {
        var config = TestConfig.Single("http://127.0.0.1:9/v1");
        if (key == "Providers:main:UpstreamAuth:Mode")
        {
            config.Bearer(("k", "sk-k"));
            expectedKey = "Gateway:Providers:main:UpstreamAuth:Mode";
        }

        if (value is null)
        {
            config.Remove(key);
        }
        else
        {
            config.Set(key, value);
        }

        var error = await Assert.ThrowsAsync<GatewayConfigurationException>(() => GatewayApp.StartAsync(config));

        Assert.Contains(expectedKey!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayConfigFile_SitsBetweenAppSettingsAndEnvironment()
    {
        var folder = Directory.CreateTempSubdirectory("gateway-config-");
        var appSettings = Path.Combine(folder.FullName, "appsettings.json");
        var gatewayConfig = Path.Combine(folder.FullName, "gateway.json");
        var prefix = $"GWTEST_{Guid.NewGuid():N}_";
        await File.WriteAllTextAsync(appSettings, """{"Gateway":{"Auth":{"Mode":"Bearer","Keys":{"a":"sk-a-app","b":"sk-b-app"}},"Providers":{"p":{"Kind":"OpenAI","BaseUrl":"http://127.0.0.1:9/v1","Models":["m"]}}}}""");
        await File.WriteAllTextAsync(gatewayConfig, """{"Gateway":{"Auth":{"Keys":{"a":"sk-a-file","b":"sk-b-file"}}}}""");
        Environment.SetEnvironmentVariable(prefix + "Gateway__Auth__Keys__b", "sk-b-env");
        try
        {
            var builder = new ConfigurationBuilder()
                .AddJsonFile(appSettings)
                .AddEnvironmentVariables(prefix);
            builder.AddGatewayConfigFile(gatewayConfig);

            var options = GatewayOptionsLoader.Load(builder.Build());

            Assert.Equal("sk-a-file", options.Auth.Keys["a"]);
            Assert.Equal("sk-b-env", options.Auth.Keys["b"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Gateway__Auth__Keys__b", null);
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void MissingGatewayConfigFile_FailsNamingTheVariable()
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => new ConfigurationBuilder().AddGatewayConfigFile("/nonexistent/gateway.json"));

        Assert.Contains("GATEWAY_CONFIG", error.Message, StringComparison.Ordinal);
    }
}
