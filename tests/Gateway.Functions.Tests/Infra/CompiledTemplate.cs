using System.Text.Json.Nodes;
using Xunit;

namespace Gateway.Functions.Tests.Infra;

/// <summary><c>infra/bicep/main.bicep</c> built and linted once for the tests that read it.</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    public static string BicepFolder => Path.Combine(BuildPaths.RepositoryRoot, "infra", "bicep");

    public (int ExitCode, string Output) Build { get; private set; }

    public (int ExitCode, string Output) Lint { get; private set; }

    /// <summary>The ARM template <c>bicep build</c> produced.</summary>
    public JsonObject Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var output = Directory.CreateTempSubdirectory("gateway-bicep-");
        try
        {
            var file = Path.Combine(output.FullName, "main.json");
            Build = await BicepCli.RunAsync(BicepFolder, "build", "main.bicep", "--outfile", file);
            Lint = await BicepCli.RunAsync(BicepFolder, "lint", "main.bicep");
            Template = File.Exists(file) ? JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject() : new JsonObject();
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Every template: the main one and each module's (nested deployments), depth first.</summary>
    public IEnumerable<JsonObject> Templates() => TemplatesUnder(Template);

    /// <summary>Every resource of <paramref name="type"/> in any template.</summary>
    public IEnumerable<JsonObject> Resources(string type) =>
        Templates().SelectMany(ResourcesOf).Where(r => string.Equals(r["type"]!.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The single resource of <paramref name="type"/>.</summary>
    public JsonObject Resource(string type) => Resources(type).Single();

    /// <summary>The module deployment named <paramref name="name"/> in the main template.</summary>
    public JsonObject Module(string name) =>
        ResourcesOf(Template).Single(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments" && r["name"]!.GetValue<string>() == name);

    private static IEnumerable<JsonObject> TemplatesUnder(JsonObject template)
    {
        yield return template;
        foreach (var deployment in ResourcesOf(template).Where(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments"))
        {
            foreach (var nested in TemplatesUnder(deployment["properties"]!["template"]!.AsObject()))
            {
                yield return nested;
            }
        }
    }

    // Resources are an array, or an object keyed by symbolic name (languageVersion 2.0).
    private static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject map => map.Select(p => p.Value!.AsObject()),
        _ => [],
    };
}
