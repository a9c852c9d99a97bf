using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gateway.Bench;

/// <summary>Facts about the machine and tools a result was measured with.</summary>
internal sealed record MachineInfo
{
    public int CpuCount { get; init; }

    public string CpuModel { get; init; } = "unknown";

    public string Kernel { get; init; } = "unknown";

    public string DotnetSdk { get; init; } = "unknown";

    public string Runtime { get; init; } = RuntimeInformation.FrameworkDescription;

    public string Wrk { get; init; } = "unknown";

    public string Commit { get; init; } = "unknown";

    /// <summary>Tracked files differed from the commit (bench/results aside).</summary>
    public bool CommitDirty { get; init; }

    /// <summary><c>/proc/loadavg</c> when the run started.</summary>
    public string LoadAverageAtStart { get; init; } = "unknown";

    public static async Task<MachineInfo> CollectAsync(BenchOptions options)
    {
        var status = await RunAsync("git", "-C", options.RepoRoot, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results");
        return new MachineInfo
        {
            CpuCount = Environment.ProcessorCount,
            CpuModel = ReadCpuModel(),
            Kernel = ReadFirstLine("/proc/sys/kernel/osrelease"),
            DotnetSdk = (await RunAsync("dotnet", "--version")).Trim(),
            Wrk = WrkVersion(await RunAsync("wrk", "-v")),
            Commit = (await RunAsync("git", "-C", options.RepoRoot, "rev-parse", "--short=12", "HEAD")).Trim(),
            CommitDirty = status.Trim().Length > 0,
            LoadAverageAtStart = ReadFirstLine("/proc/loadavg"),
        };
    }

    /// <summary>"wrk 4.1.0 [epoll]" from the banner, without its copyright notice.</summary>
    private static string WrkVersion(string banner)
    {
        var line = FirstLine(banner);
        var cut = line.IndexOf(" Copyright", StringComparison.Ordinal);
        return cut > 0 ? line[..cut].Trim() : line;
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string ReadFirstLine(string path)
    {
        try
        {
            return FirstLine(File.ReadAllText(path));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "unknown" : line;
    }

    /// <summary>Output (stdout and stderr) of a short command; "unknown" if it cannot run.</summary>
    private static async Task<string> RunAsync(string file, params string[] args) =>
        (await RunWithExitAsync(file, args)).Output;

    /// <summary>Standard output of a short command, trimmed; null if it cannot run or fails.</summary>
    internal static async Task<string?> OutputIfSuccessAsync(string file, params string[] args)
    {
        var (exit, output) = await RunWithExitAsync(file, args, withStderr: false);
        return exit == 0 ? output.Trim() : null;
    }

    private static async Task<(int Exit, string Output)> RunWithExitAsync(string file, string[] args, bool withStderr = true)
    {
        try
        {
            var info = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, withStderr ? await stdout + await stderr : await stdout);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "unknown");
        }
    }
}

/// <summary>The other build measured as the path "baseline" (<c>BENCH_BASELINE_DLL</c>).</summary>
internal sealed record BaselineBuild
{
    /// <summary>Full path of its <c>Gateway.Server.dll</c>.</summary>
    public required string Dll { get; init; }

    /// <summary>HEAD of the git checkout the dll lies in (<c>git -C &lt;dir&gt; rev-parse --short=12 HEAD</c>); null outside a checkout.</summary>
    public string? Commit { get; init; }

    /// <summary>Tracked files of that checkout (bench/results aside) differ from its HEAD now; the dll may have been built earlier.</summary>
    public bool CommitDirty { get; init; }

    /// <summary>When the dll was last written (UTC), to tell a stale build from its checkout's HEAD.</summary>
    public required string DllWrittenUtc { get; init; }

    public static async Task<BaselineBuild> CollectAsync(string dll)
    {
        var top = await MachineInfo.OutputIfSuccessAsync("git", "-C", Path.GetDirectoryName(dll) ?? ".", "rev-parse", "--show-toplevel");
        var commit = top is null ? null : await MachineInfo.OutputIfSuccessAsync("git", "-C", top, "rev-parse", "--short=12", "HEAD");
        var status = top is null ? null
            : await MachineInfo.OutputIfSuccessAsync("git", "-C", top, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results");
        return new BaselineBuild
        {
            Dll = dll,
            Commit = string.IsNullOrEmpty(commit) ? null : commit,
            CommitDirty = !string.IsNullOrEmpty(status),
            DllWrittenUtc = File.GetLastWriteTimeUtc(dll).ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
