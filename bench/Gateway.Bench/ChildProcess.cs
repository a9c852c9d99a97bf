using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// A process the bench started. Its console output goes to a file (via <c>sh -c 'exec …'</c>, so the pid is
/// the program's own), never to a pipe the bench would have to drain on the shared cores. Every child is
/// registered so that <see cref="KillAll"/> can end them on failure, Ctrl+C or SIGTERM.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();

    private readonly Process _process;

    private ChildProcess(string name, Process process, string logPath, long startedAt)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        StartedAt = startedAt;
    }

    public string Name { get; }

    public string LogPath { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> taken just before the process was started.</summary>
    public long StartedAt { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string name, string logPath, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" >\"$BENCH_CHILD_LOG\" 2>&1 </dev/null");
        info.ArgumentList.Add("sh");
        foreach (var part in command)
        {
            info.ArgumentList.Add(part);
        }

        info.Environment["BENCH_CHILD_LOG"] = logPath;
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        var child = new ChildProcess(name, process, logPath, startedAt);
        Live[process.Id] = child;
        return child;
    }

    /// <summary>VmRSS and VmHWM of the process in KiB, from <c>/proc/PID/status</c>.</summary>
    public MemoryReading ReadMemory()
    {
        long rss = -1, hwm = -1;
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = ParseKb(line);
            }
        }

        return new MemoryReading(rss, hwm);
    }

    /// <summary>Waits for the process to end; on cancellation it is killed first.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        Live.TryRemove(_process.Id, out _);
        return _process.ExitCode;
    }

    /// <summary>The last lines of the child's console output (for error messages).</summary>
    public string Tail(int lines = 20)
    {
        try
        {
            var all = File.ReadAllLines(LogPath);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "(no output)";
        }
    }

    public void Kill()
    {
        Live.TryRemove(_process.Id, out _);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>Ends every child still running (safe to call more than once, from any thread).</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Kill();
        }
    }

    private static long ParseKb(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : -1;
    }
}

/// <summary>Resident set size now and at its peak, in KiB.</summary>
internal readonly record struct MemoryReading(long RssKb, long HwmKb)
{
    public double RssMb => RssKb / 1024.0;

    public double HwmMb => HwmKb / 1024.0;
}
