using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Gateway.Bench;

/// <summary>
/// How a child process's runtime is set up, as far as memory and throughput go: its GC mode and the other
/// <c>System.GC.*</c> and tiering settings in its <c>runtimeconfig.json</c>, and any <c>DOTNET_</c>/<c>COMPlus_</c>
/// GC variables the bench's environment passes on to it.
/// </summary>
internal sealed record RuntimeSettings
{
    /// <summary>One line: "workstation GC, concurrent", "Server GC, DATAS on, non-concurrent", with any limits.</summary>
    public required string GcMode { get; init; }

    /// <summary>The runtimeconfig.json the settings came from.</summary>
    public required string Source { get; init; }

    /// <summary><c>System.GC.*</c> and <c>System.Runtime.Tiered*</c> from runtimeconfig.json, as written there.</summary>
    public required IReadOnlyDictionary<string, string> Properties { get; init; }

    /// <summary>GC-related environment variables the child inherits from the bench.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public static RuntimeSettings Read(string dll)
    {
        var path = Path.ChangeExtension(dll, ".runtimeconfig.json");
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            if (json.RootElement.TryGetProperty("runtimeOptions", out var options) && options.TryGetProperty("configProperties", out var config))
            {
                foreach (var property in config.EnumerateObject())
                {
                    if (property.Name.StartsWith("System.GC.", StringComparison.Ordinal) || property.Name.StartsWith("System.Runtime.Tiered", StringComparison.Ordinal))
                    {
                        properties[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    }
                }
            }
        }

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if ((name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase))
                && name.Contains("gc", StringComparison.OrdinalIgnoreCase))
            {
                environment[name] = (string?)variable.Value ?? string.Empty;
            }
        }

        // A Native AOT executable has no runtimeconfig.json: its project's settings are compiled into it.
        var native = !dll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        return new RuntimeSettings
        {
            GcMode = !native ? Describe(properties, environment)
                : "Native AOT: its project's settings are compiled in, not readable here"
                  + (environment.Count == 0 ? string.Empty : "; from the environment: " + string.Join(", ", environment.Select(e => $"{e.Key}={e.Value}"))),
            Source = native ? dll + " (no runtimeconfig.json)" : path,
            Properties = properties,
            Environment = environment,
        };
    }

    private static string Describe(IReadOnlyDictionary<string, string> properties, IReadOnlyDictionary<string, string> environment)
    {
        string? Setting(string property, string variable) =>
            environment.FirstOrDefault(e => e.Key.EndsWith("_" + variable, StringComparison.OrdinalIgnoreCase)).Value
            ?? properties.GetValueOrDefault(property);

        static bool IsOn(string? value, bool fallback) => value is null ? fallback : value is "true" or "True" or "1";

        var server = IsOn(Setting("System.GC.Server", "gcServer"), false);
        var concurrent = IsOn(Setting("System.GC.Concurrent", "gcConcurrent"), true);
        var parts = new List<string> { server ? "Server GC" : "workstation GC" };
        if (server)
        {
            // DATAS is on by default for Server GC since .NET 9; 0 turns it off.
            var datas = Setting("System.GC.DynamicAdaptationMode", "GCDynamicAdaptationMode");
            parts.Add(datas is "0" ? "DATAS off" : "DATAS on");
            if (Setting("System.GC.HeapCount", "GCHeapCount") is { } heaps)
            {
                parts.Add("heaps " + heaps);
            }
        }

        parts.Add(concurrent ? "concurrent (background GC)" : "non-concurrent");
        if (Setting("System.GC.ConserveMemory", "GCConserveMemory") is { } conserve && conserve != "0")
        {
            parts.Add("ConserveMemory " + conserve);
        }

        if (Setting("System.GC.HeapHardLimit", "GCHeapHardLimit") is { } limit)
        {
            var fromEnvironment = environment.Keys.Any(k => k.EndsWith("_GCHeapHardLimit", StringComparison.OrdinalIgnoreCase));
            parts.Add("HeapHardLimit " + Bytes(limit, hex: fromEnvironment));
        }

        if (Setting("System.GC.HeapHardLimitPercent", "GCHeapHardLimitPercent") is { } percent)
        {
            parts.Add("HeapHardLimitPercent " + percent);
        }

        if (IsOn(Setting("System.GC.RetainVM", "GCRetainVM"), false))
        {
            parts.Add("RetainVM");
        }

        return string.Join(", ", parts);
    }

    // runtimeconfig.json takes decimal numbers (or 0x hex); DOTNET_ variables are always hex.
    private static string Bytes(string value, bool hex)
    {
        var prefixed = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        hex |= prefixed;
        return long.TryParse(prefixed ? value[2..] : value, hex ? NumberStyles.HexNumber : NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.#} MiB")
            : value;
    }
}
