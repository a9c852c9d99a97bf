using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// The real Table Storage emulator (npm <c>azurite</c>, pinned in tests/package.json), in memory on a free
/// loopback port. It can be stopped and started again on the same port to simulate an outage.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? _process;

    // While stopped, the port stays bound (not listening): connections are refused as from a dead emulator, and no
    // other test's server is given the port in the meantime (one was, and answered this store's calls).
    private Socket? _placeholder;

    private Azurite(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite(LoopbackPort.Free());
        await azurite.StartProcessAsync();
        return azurite;
    }

    /// <summary>Kills the emulator (its in-memory data is lost, as in a real outage and restore).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        if (_placeholder is null)
        {
            var placeholder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            placeholder.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            placeholder.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            _placeholder = placeholder;
        }
    }

    /// <summary>Starts the emulator again on the same port.</summary>
    public Task RestartAsync()
    {
        ReleasePort();
        return StartProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        ReleasePort();
    }

    private void ReleasePort()
    {
        _placeholder?.Dispose();
        _placeholder = null;
    }

    private async Task StartProcessAsync()
    {
        var script = FindScript();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--require", ParentWatch.Value, script, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableTelemetry" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"azurite exited with code {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("azurite did not start listening within 120 s (a heavily loaded machine starts node slowly)");
    }

    // Ends the emulator when this test process is gone: a test host killed from outside (a mutation run's
    // timeout, a cancelled run) never disposes its fixtures, and each orphaned emulator kept ~95 MB.
    private static readonly Lazy<string> ParentWatch = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-tests-azurite-parent-watch-{Environment.ProcessId}.js");
        File.WriteAllText(path, "const parent = process.ppid;\nsetInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();\n");
        return path;
    });

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "node_modules", "azurite", "dist", "src", "table", "main.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Azurite is not installed: run `npm ci --prefix tests` (./test.sh does it)");
    }
}
