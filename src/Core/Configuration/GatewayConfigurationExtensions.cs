using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Configuration;

/// <summary>Configuration sources shared by both hosts (SPEC §3).</summary>
public static class GatewayConfigurationExtensions
{
    /// <summary>Environment variable that names an extra JSON configuration file.</summary>
    public const string ConfigFileVariable = "GATEWAY_CONFIG";

    /// <summary>Environment variable that holds a JSON configuration document inline (on Azure, a Key Vault reference).</summary>
    public const string ConfigJsonVariable = "GATEWAY_CONFIG_JSON";

    // What App Service leaves in a setting whose Key Vault reference it could not resolve.
    private const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>
    /// Adds the file named by <c>GATEWAY_CONFIG</c>, then the inline JSON of <c>GATEWAY_CONFIG_JSON</c>,
    /// after any JSON files already present and before environment variables, so the order is
    /// appsettings.json &lt; GATEWAY_CONFIG &lt; GATEWAY_CONFIG_JSON &lt; environment variables.
    /// </summary>
    /// <param name="builder">The host's configuration.</param>
    /// <param name="path">The file; default: the <c>GATEWAY_CONFIG</c> variable.</param>
    /// <param name="json">The document; default: the <c>GATEWAY_CONFIG_JSON</c> variable.</param>
    public static IConfigurationBuilder AddGatewayConfig(this IConfigurationBuilder builder, string? path = null, string? json = null) =>
        builder.AddGatewayConfigFile(path).AddGatewayConfigJson(json);

    /// <summary>
    /// Adds the JSON file <paramref name="path"/> (default: the <c>GATEWAY_CONFIG</c> variable; a relative
    /// path is resolved against the current directory) after the JSON sources already present and before
    /// environment variables.
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
        builder.Sources.Insert(JsonInsertionIndex(builder), source);
        return builder;
    }

    /// <summary>
    /// Adds the JSON document <paramref name="json"/> (default: the <c>GATEWAY_CONFIG_JSON</c> variable)
    /// after the JSON sources already present and before environment variables. It must be a JSON object;
    /// errors never quote it (it holds keys).
    /// </summary>
    public static IConfigurationBuilder AddGatewayConfigJson(this IConfigurationBuilder builder, string? json = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        json ??= Environment.GetEnvironmentVariable(ConfigJsonVariable);
        if (string.IsNullOrWhiteSpace(json))
        {
            return builder;
        }

        if (json.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayConfigurationException(
                $"{ConfigJsonVariable}: the Key Vault reference was not resolved (the app's identity needs the Key Vault Secrets User role and the app's keyVaultReferenceIdentity must be that identity)");
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GatewayConfigurationException($"{ConfigJsonVariable}: must be a JSON object such as {{\"Gateway\":{{…}}}}");
            }
        }
        catch (JsonException ex)
        {
            // The reader's message gives the line and position, never the text.
            throw new GatewayConfigurationException($"{ConfigJsonVariable}: not valid JSON ({ex.Message})", ex);
        }

        builder.Sources.Insert(JsonInsertionIndex(builder), new JsonStreamConfigurationSource { Stream = new MemoryStream(bytes, writable: false) });
        return builder;
    }

    // After the last JSON source (appsettings.*.json, GATEWAY_CONFIG) if there is one, else before the
    // unprefixed environment variables, else last.
    private static int JsonInsertionIndex(IConfigurationBuilder builder)
    {
        var index = -1;
        for (var i = 0; i < builder.Sources.Count; i++)
        {
            if (builder.Sources[i] is JsonConfigurationSource or JsonStreamConfigurationSource)
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

        return index < 0 ? builder.Sources.Count : index;
    }
}
