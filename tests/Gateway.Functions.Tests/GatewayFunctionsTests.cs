using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Endpoints;
using Xunit;

namespace Gateway.Functions.Tests;

/// <summary>
/// The Functions host cannot run here, so its generated <c>functions.metadata</c> (what the host reads
/// to bind triggers) is compared with Core's route table, which the Server maps.
/// </summary>
public sealed class GatewayFunctionsTests
{
    // Routes the Server serves and Functions does not, by name: /metrics (Functions exports OpenTelemetry
    // instead) and the fallback (the Functions host answers unknown routes itself).
    private static readonly string[] ServerOnly = ["Metrics", nameof(GatewayRouteTable.Fallback)];

    [Fact]
    public void Metadata_EveryTableRoute_IsAnAnonymousFunctionWithTheSameMethods()
    {
        var functions = HttpFunctions();

        foreach (var route in GatewayRouteTable.All.Where(r => !ServerOnly.Contains(r.Name)))
        {
            var function = functions.SingleOrDefault(f => f.Route == route.FunctionsTemplate);
            Assert.True(function is not null, $"route /{route.Template} ({route.Name}) has no function with route '{route.FunctionsTemplate}' in functions.metadata");
            Assert.Equal(Sorted(route.Methods), Sorted(function.Methods));
            Assert.Equal("anonymous", function.AuthLevel, ignoreCase: true);
        }
    }

    [Fact]
    public void Metadata_EveryHttpFunction_IsATableRoute()
    {
        var templates = GatewayRouteTable.All.Select(r => r.FunctionsTemplate).ToHashSet(StringComparer.Ordinal);

        Assert.All(HttpFunctions(), f => Assert.True(templates.Contains(f.Route), $"function {f.Name} serves '{f.Route}', which the route table (and so the Server) lacks"));
    }

    [Fact]
    public void RouteTable_ServerOnlyRoutes_AreTheNamedOnes()
    {
        // A route cannot leave Functions out by being marked Server-only: only the ones named above may.
        Assert.All(GatewayRouteTable.All.Where(r => r.ServerOnly), r => Assert.Contains(r.Name, ServerOnly));
    }

    [Fact]
    public void Metadata_RootChat_IsTheEmptyRouteFunction()
    {
        var root = HttpFunctions().Single(f => f.Name == nameof(GatewayRouteTable.RootChat));

        // An empty Route means "the function name" to the host; POST / needs an optional parameter that must stay empty.
        Assert.Equal("{ignored:maxlength(0)?}", root.Route);
        Assert.Equal(string.Empty, GatewayRouteTable.RootChat.Template);
    }

    [Fact]
    public void Metadata_Timer_BindsToTheRefreshScheduleSetting()
    {
        var timers = Metadata()
            .Select(f => f!["bindings"]!.AsArray().Single(b => b!["direction"]!.GetValue<string>() == "In")!)
            .Where(b => b["type"]!.GetValue<string>() == "timerTrigger")
            .ToList();

        var timer = Assert.Single(timers);
        Assert.Equal("%" + StateOptions.RefreshScheduleSetting + "%", timer["schedule"]!.GetValue<string>());
        Assert.Equal("%GATEWAY_REFRESH_SCHEDULE%", timer["schedule"]!.GetValue<string>());
    }

    private static List<string> Sorted(IEnumerable<string> methods) => [.. methods.Select(m => m.ToUpperInvariant()).Order(StringComparer.Ordinal)];

    private static JsonArray Metadata()
    {
        var path = Path.Combine(BuildPaths.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Functions first");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    }

    private static List<HttpFunction> HttpFunctions() =>
    [
        .. Metadata()
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Trigger: f["bindings"]!.AsArray().Single(b => b!["direction"]!.GetValue<string>() == "In")!))
            .Where(f => f.Trigger["type"]!.GetValue<string>() == "httpTrigger")
            .Select(f => new HttpFunction(
                f.Name,
                f.Trigger["route"]?.GetValue<string>() ?? f.Name,
                [.. f.Trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>())],
                f.Trigger["authLevel"]!.GetValue<string>())),
    ];

    private sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, string AuthLevel);
}
