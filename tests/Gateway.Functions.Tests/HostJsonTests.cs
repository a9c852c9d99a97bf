using System.Text.Json.Nodes;
using Xunit;

namespace Gateway.Functions.Tests;

/// <summary>The host settings the gateway's routes and streams depend on, as deployed (the build output) and as run locally.</summary>
public sealed class HostJsonTests
{
    [Fact]
    public void HostJson_KeepsAnEmptyRoutePrefixAndNoFunctionTimeout()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(BuildPaths.FunctionsOutput, "host.json")))!;

        // "" serves /v1/chat/completions rather than /api/v1/…; "-1" lets Flex run long streams (no 30-minute cut).
        Assert.Equal(string.Empty, host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal("-1", host["functionTimeout"]!.GetValue<string>());
    }

    [Fact]
    public void LocalSettingsSample_DisablesTheHomepageAndSetsTheTimerSchedule()
    {
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(BuildPaths.RepositoryRoot, "local.settings.sample.json")))!["Values"]!;

        // Without the first the host's page answers GET / and POST / never reaches RootChat; without
        // the second the timer's %GATEWAY_REFRESH_SCHEDULE% binding fails and the host does not start.
        Assert.Equal("true", values["AzureWebJobsDisableHomepage"]!.GetValue<string>());
        Assert.True(Cronos.CronExpression.TryParse(values["GATEWAY_REFRESH_SCHEDULE"]!.GetValue<string>(), Cronos.CronFormat.IncludeSeconds, out _));
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]!.GetValue<string>());
    }
}
