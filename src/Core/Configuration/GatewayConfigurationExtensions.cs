using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Configuration;

/// <summary>Configuration sources shared by both hosts (SPEC §3).</summary>
public static class GatewayConfigurationExtensions
{
    /// <summary>Environment variable that names an extra JSON configuration file.</summary>
    public const string ConfigFileVariable = "GATEWAY_CONFIG";

    /// <summary>
    /// Adds the JSON file named by <c>GATEWAY_CONFIG</c> after any JSON files already present and before
    /// environment variables, so the order is appsettings.json &lt; GATEWAY_CONFIG &lt; environment.
    /// </summary>
    public static IConfigurationBuilder AddGatewayConfigFile(this IConfigurationBuilder builder, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        path ??= Environment.GetEnvironmentVariable(ConfigFileVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return builder;
        }

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new GatewayConfigurationException($"{ConfigFileVariable}: file '{fullPath}' does not exist");
        }

        var source = new JsonConfigurationSource { Path = fullPath, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        // After the last JSON file (appsettings.*.json) if there is one, else before the unprefixed
        // environment variables, else last.
        var index = -1;
        for (var i = 0; i < builder.Sources.Count; i++)
        {
            if (builder.Sources[i] is JsonConfigurationSource)
            {
                index = i + 1;
            }
        }

        for (var i = 0; index < 0 && i < builder.Sources.Count; i++)
        {
            if (builder.Sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                index = i;
            }
        }

        if (index < 0)
        {
            index = builder.Sources.Count;
        }

        builder.Sources.Insert(index, source);
        return builder;
    }
}
