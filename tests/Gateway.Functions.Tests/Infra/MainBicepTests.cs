using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Configuration;
using Gateway.State;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gateway.Functions.Tests.Infra;

/// <summary>
/// The azd deployment (<c>infra/bicep</c>) as far as it can be checked without Azure: it builds and lints
/// clean with the Bicep CLI, and the compiled template holds what the app needs.
/// </summary>
public sealed class MainBicepTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void Build_SucceedsWithoutDiagnostics()
    {
        Assert.True(compiled.Build.ExitCode == 0 && compiled.Build.Output.Length == 0, compiled.Build.Output);
        Assert.NotEmpty(compiled.Template);
    }

    [Fact]
    public void Lint_ReportsNothing()
    {
        Assert.True(compiled.Lint.ExitCode == 0 && compiled.Lint.Output.Length == 0, compiled.Lint.Output);
    }

    [Fact]
    public void Main_IsSubscriptionScopedWithFlexRegionsOnly()
    {
        Assert.Contains("subscriptionDeploymentTemplate", compiled.Template["$schema"]!.GetValue<string>(), StringComparison.Ordinal);
        var regions = compiled.Template["parameters"]!["location"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        Assert.Contains("eastus", regions);
        Assert.Contains("westeurope", regions);
        Assert.Single(compiled.Resources("Microsoft.Resources/resourceGroups"));
    }

    [Fact]
    public void Plan_IsFlexConsumptionOnLinux()
    {
        var plan = compiled.Resource("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void FunctionApp_RunsDotnetIsolated10FromIdentityDeploymentStorage()
    {
        var site = compiled.Resource("Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.Equal("functionapp,linux", site["kind"]!.GetValue<string>());
        Assert.Equal("dotnet-isolated", config["runtime"]!["name"]!.GetValue<string>());
        Assert.Equal("10.0", config["runtime"]!["version"]!.GetValue<string>());
        Assert.Equal("blobContainer", config["deployment"]!["storage"]!["type"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>());
        Assert.Equal("[parameters('instanceMemoryMB')]", config["scaleAndConcurrency"]!["instanceMemoryMB"]!.GetValue<string>());
        Assert.Equal("[parameters('maximumInstanceCount')]", config["scaleAndConcurrency"]!["maximumInstanceCount"]!.GetValue<string>());
        Assert.Equal("UserAssigned", site["identity"]!["type"]!.GetValue<string>());
        Assert.NotNull(site["properties"]!["keyVaultReferenceIdentity"]);
        Assert.Contains("'azd-service-name'", site["tags"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("gateway", compiled.Module("functionApp")["properties"]!["parameters"]!["serviceName"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void AzureYaml_DeploysSrcFunctionsAsTheTaggedServiceFromInfraBicep()
    {
        var yaml = File.ReadAllText(Path.Combine(BuildPaths.RepositoryRoot, "azure.yaml"));

        Assert.Matches(new Regex(@"^infra:\s*\n(\s+.*\n)*?\s+path: infra/bicep\s*$", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^services:\s*\n\s+gateway:\s*\n\s+project: src/Functions\s*\n\s+language: dotnet\s*\n\s+host: function\s*$", RegexOptions.Multiline), yaml);
    }

    [Fact]
    public void AppSettings_HoldWhatTheHostAndTheGatewayRead()
    {
        var settings = compiled.Resource("Microsoft.Web/sites/config")["properties"]!.AsObject();
        var names = settings.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri",
                "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
                "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
                StateOptions.RefreshScheduleSetting, GatewayConfigurationExtensions.ConfigJsonVariable,
                "Gateway__State__TableEndpoint", "Gateway__State__ManagedIdentityClientId", "Gateway__State__TablePrefix",
                "AzureWebJobsDisableHomepage",
            },
            names);
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", names); // Flex takes the runtime from functionAppConfig
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]!.GetValue<string>());
        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]!.GetValue<string>());
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings[GatewayConfigurationExtensions.ConfigJsonVariable]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_GatewayKeys_AreValidStateSettingsUnderFunctions()
    {
        // The Gateway__* names the template sets, with sample values, pass the Functions host's validation
        // (a misspelt key would fail it as an unknown setting).
        var settings = compiled.Resource("Microsoft.Web/sites/config")["properties"]!.AsObject();
        var values = new Dictionary<string, string?>
        {
            ["Gateway:Auth:Mode"] = "None",
            ["Gateway:Providers:p:Kind"] = "OpenAI",
            ["Gateway:Providers:p:BaseUrl"] = "https://example.invalid/v1",
            ["Gateway:Providers:p:Models:0"] = "m",
        };
        var samples = new Dictionary<string, string>
        {
            ["TableEndpoint"] = "https://account.table.core.windows.net/",
            ["ManagedIdentityClientId"] = Guid.NewGuid().ToString(),
            ["TablePrefix"] = "gateway",
        };
        foreach (var (name, _) in settings.Where(p => p.Key.StartsWith("Gateway__", StringComparison.Ordinal)))
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            values[key] = samples[key.Split(':')[^1]];
        }

        var options = GatewayOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), GatewayHostKind.Functions);

        Assert.True(options.State.UsesTableStorage);
    }

    [Fact]
    public void Storage_HasNoSharedKeyAndTheGatewayTables()
    {
        var account = compiled.Resource("Microsoft.Storage/storageAccounts")["properties"]!;
        var tableSuffixes = compiled.Template["variables"]!["tableSuffixes"]!.AsArray().Select(s => s!.GetValue<string>());

        Assert.False(account["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", account["minimumTlsVersion"]!.GetValue<string>());
        Assert.Equal(StateStores.TableSuffixes, tableSuffixes);
        Assert.Single(compiled.Resources("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Single(compiled.Resources("Microsoft.Storage/storageAccounts/tableServices/tables"));
    }

    [Fact]
    public void Monitoring_ApplicationInsightsHasLocalAuthOff()
    {
        var insights = compiled.Resource("Microsoft.Insights/components")["properties"]!;

        Assert.True(insights["DisableLocalAuth"]!.GetValue<bool>());
        Assert.NotNull(insights["WorkspaceResourceId"]);
        Assert.Single(compiled.Resources("Microsoft.OperationalInsights/workspaces"));
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner")]
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor")]
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor")]
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher")]
    [InlineData("4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User")]
    public void RoleAssignments_GiveTheIdentityItsRoles(string roleDefinitionId, string role)
    {
        // Each role id is a variable of a module whose role assignments are for the identity's principal.
        var holders = compiled.Templates()
            .Where(t => t["variables"] is JsonObject variables && variables.Any(v => v.Value?.ToJsonString().Contains(roleDefinitionId, StringComparison.Ordinal) == true))
            .ToList();

        Assert.True(holders.Count == 1, $"{role} ({roleDefinitionId}) is in {holders.Count} modules, expected 1");
        var assignments = ((JsonArray)holders[0]["resources"]!).Select(r => r!.AsObject()).Where(r => r["type"]!.GetValue<string>() == "Microsoft.Authorization/roleAssignments");
        Assert.Contains(assignments, a => a["properties"]!["principalType"]?.GetValue<string>() == "ServicePrincipal");
    }

    [Fact]
    public void KeyVault_HoldsTheConfigFromASecureParameterThatNeverLeaves()
    {
        var vault = compiled.Resource("Microsoft.KeyVault/vaults")["properties"]!;
        var parameter = compiled.Template["parameters"]!["gatewayConfigJson"]!;

        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.Equal("securestring", parameter["type"]!.GetValue<string>());
        Assert.All(compiled.Templates(), t =>
        {
            foreach (var (name, definition) in t["parameters"]?.AsObject() ?? [])
            {
                if (definition!["type"]!.GetValue<string>() == "securestring")
                {
                    Assert.Null(definition["defaultValue"]);
                    Assert.DoesNotContain($"parameters('{name}')", t["outputs"]?.ToJsonString() ?? string.Empty, StringComparison.Ordinal);
                }
            }
        });
        Assert.Equal("[parameters('gatewayConfigJson')]", compiled.Resource("Microsoft.KeyVault/vaults/secrets")["properties"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void ParametersFile_MapsTheAzdVariablesAndOnlyKnownParameters()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledTemplate.BicepFolder, "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = compiled.Template["parameters"]!.AsObject();

        Assert.Equal("${AZURE_ENV_NAME}", file["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", file["location"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", file["principalId"]!["value"]!.GetValue<string>());
        // Unset, azd prompts for it (a required parameter without a default).
        Assert.Equal("${GATEWAY_CONFIG_JSON}", file["gatewayConfigJson"]!["value"]!.GetValue<string>());
        Assert.All(file, p => Assert.True(declared.ContainsKey(p.Key), $"{p.Key} is not a parameter of main.bicep"));
        Assert.All(declared.Where(p => p.Value!["defaultValue"] is null), p => Assert.True(file.ContainsKey(p.Key), $"required parameter {p.Key} is not in main.parameters.json"));
    }
}
