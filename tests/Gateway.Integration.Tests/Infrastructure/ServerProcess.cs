using Gateway.Server;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// The Server binary (<c>Gateway.Server.dll</c> from this test's output) as its own process, as a
/// container or <c>dotnet</c> on a box runs it: configuration only from the environment.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServerProcess(ChildProcess process, Uri root)
    {
        _process = process;
        Root = root;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Gateway.Server.dll");

    public Uri Root { get; }

    public string Output => _process.Output;

    /// <summary>Runs <c>dotnet Gateway.Server.dll</c> with <paramref name="arguments"/> to its end.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync("dotnet", [Dll, .. arguments]);

    /// <summary>The configuration as environment variables (<c>Gateway__Providers__main__Kind</c>), as a container gets it.</summary>
    public static Dictionary<string, string?> Environment(TestConfig config) =>
        config.Values.ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value);

    /// <summary>
    /// Starts the server on a free port (through <c>ASPNETCORE_URLS</c>) and waits until <c>/health/live</c> answers:
    /// <c>dotnet Gateway.Server.dll</c>, or the Native AOT <paramref name="executable"/> when given.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, string? executable = null)
    {
        var root = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var variables = new Dictionary<string, string?>(environment) { ["ASPNETCORE_URLS"] = root.ToString().TrimEnd('/') };
        var process = executable is null ? ChildProcess.Start("dotnet", [Dll], variables) : ChildProcess.Start(executable, [], variables);
        var server = new ServerProcess(process, root);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await HealthProbe.RunAsync(new Uri(root, "health/live").ToString(), TextWriter.Null) != 0)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = process.Output;
                await server.DisposeAsync();
                throw new InvalidOperationException("the server did not start:\n" + output);
            }

            await Task.Delay(100);
        }

        return server;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
