using Xunit;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// The Server published Native AOT (<c>scripts/publish-aot.sh</c>): <c>GATEWAY_AOT_BINARY</c> when set (test.sh
/// publishes it before the tests), otherwise published here once into <c>artifacts/aot</c>, which takes a minute
/// or two. Never skipped: a build the README offers is a build the tests run.
/// </summary>
public sealed class NativeAotBinary : IAsyncLifetime
{
    public string Path { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_AOT_BINARY") is { Length: > 0 } given)
        {
            Path = File.Exists(given) ? given : throw new FileNotFoundException("GATEWAY_AOT_BINARY names no file", given);
            return;
        }

        var output = System.IO.Path.Combine(Repository.Root, "artifacts", "aot");
        var (exitCode, text) = await ChildProcess.RunAsync(
            System.IO.Path.Combine(Repository.Root, "scripts", "publish-aot.sh"), [output], workingDirectory: Repository.Root, timeout: TimeSpan.FromMinutes(20));
        Path = System.IO.Path.Combine(output, "Gateway.Server");
        if (exitCode != 0 || !File.Exists(Path))
        {
            throw new InvalidOperationException($"scripts/publish-aot.sh failed ({exitCode}):\n{text}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
