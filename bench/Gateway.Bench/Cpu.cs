using System.Globalization;

namespace Gateway.Bench;

/// <summary>CPU time from <c>/proc</c> (clock ticks of 10 ms, USER_HZ = 100).</summary>
internal static class Cpu
{
    private const double TickMs = 10.0;

    /// <summary>utime + stime of a process in milliseconds (children it reaped included when <paramref name="withChildren"/>).</summary>
    public static double ProcessMs(int pid, bool withChildren = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name; utime is field 14 of the whole line.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = Long(fields[11]) + Long(fields[12]);
            if (withChildren)
            {
                ticks += Long(fields[13]) + Long(fields[14]);
            }

            return ticks * TickMs;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>
    /// CPU time of the whole machine in milliseconds, all cores added: time in processes (user, nice,
    /// system; interrupt time is left out because the kernel does not charge it to any process), time
    /// stolen by the hypervisor, and the total.
    /// </summary>
    public static MachineCpu MachineMs()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(Long).ToArray();
        return new MachineCpu((values[0] + values[1] + values[2]) * TickMs, values[7] * TickMs, values.Sum() * TickMs);
    }

    /// <summary>Share of all cores' time spent in processes over <paramref name="window"/> (0–1).</summary>
    public static async Task<double> BusyShareAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var before = MachineMs();
        await Task.Delay(window, cancellationToken);
        var after = MachineMs();
        var total = after.TotalMs - before.TotalMs;
        return total <= 0 ? 0 : (after.ProcessMs - before.ProcessMs) / total;
    }

    private static long Long(string text) => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>
/// How much of the machine's CPU went to processes outside the bench during a phase: the machine's busy
/// time minus the bench's own (itself, the processes it reaped such as wrk, and the listed live children).
/// </summary>
internal sealed class ForeignCpuMeter
{
    private readonly Func<IEnumerable<int>> _children;
    private readonly MachineCpu _machine;
    private readonly double _ours;

    public ForeignCpuMeter(Func<IEnumerable<int>> children)
    {
        _children = children;
        _machine = Cpu.MachineMs();
        _ours = Ours();
    }

    /// <summary>Shares of all cores' time since the meter started (0–1): other processes, and hypervisor steal.</summary>
    public (double Foreign, double Steal) Shares()
    {
        var machine = Cpu.MachineMs();
        var busy = machine.ProcessMs - _machine.ProcessMs;
        var total = machine.TotalMs - _machine.TotalMs;
        var ours = Ours() - _ours;
        return total <= 0 ? (0, 0) : (Math.Max(0, busy - ours) / total, (machine.StealMs - _machine.StealMs) / total);
    }

    private double Ours() => Cpu.ProcessMs(Environment.ProcessId, withChildren: true) + _children().Sum(pid => Cpu.ProcessMs(pid));
}

/// <summary>Machine CPU counters in milliseconds (see <see cref="Cpu.MachineMs"/>).</summary>
internal readonly record struct MachineCpu(double ProcessMs, double StealMs, double TotalMs);
