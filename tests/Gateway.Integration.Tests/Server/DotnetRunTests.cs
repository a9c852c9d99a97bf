using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Server;

/// <summary>The README's <c>dotnet run --project src/Server</c> commands, as a new user runs them.</summary>
public sealed class DotnetRunTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task DotnetRunProject_RelativeGatewayConfig_IsResolvedAgainstTheStartDirectory()
    {
        var start = Directory.CreateTempSubdirectory("gateway-run-");
        try
        {
            // A file the server finds and reads, then refuses: the run ends with its key named.
            await File.WriteAllTextAsync(Path.Combine(start.FullName, "my-gateway.json"), """{"Gateway":{"NotASetting":1}}""");

            var (exitCode, output) = await ChildProcess.RunAsync(
                "dotnet",
                ["run", "--project", Path.Combine(Repository.Root, "src", "Server"), "--no-build", "-c", Configuration],
                new Dictionary<string, string?> { ["GATEWAY_CONFIG"] = "my-gateway.json" },
                workingDirectory: start.FullName,
                timeout: TimeSpan.FromMinutes(2));

            Assert.True(exitCode == 2, output);
            Assert.Contains("Gateway:NotASetting: unknown setting", output, StringComparison.Ordinal);
        }
        finally
        {
            start.Delete(recursive: true);
        }
    }
}
