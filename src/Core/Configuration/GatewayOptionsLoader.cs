using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Gateway.Configuration;

/// <summary>Binds the <c>Gateway</c> section and fails with every bad key named.</summary>
public static class GatewayOptionsLoader
{
    /// <summary>Binds and validates; throws <see cref="GatewayConfigurationException"/> on any problem.</summary>
    public static GatewayOptions Load(IConfiguration configuration, GatewayHostKind host = GatewayHostKind.Server)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(GatewayOptions.SectionName);
        var problems = new List<string>();
        FindUnknownKeys(section, typeof(GatewayOptions), problems);
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        GatewayOptions options;
        try
        {
            options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the value that failed to convert.
            throw new GatewayConfigurationException(ex.Message, ex);
        }

        if (configuration[StateOptions.RefreshScheduleSetting] is { Length: > 0 } schedule)
        {
            options = options with { State = options.State with { RefreshSchedule = schedule } };
        }

        problems.AddRange(GatewayOptionsValidator.Validate(options, host));
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        return options;
    }

    /// <summary>
    /// A misspelt key would otherwise be ignored silently and leave a default in place (for example
    /// <c>ChatPth</c>), so every key must match a property of its options record.
    /// Reflection over the options records: each record the walk reaches is named below, so a trimmed
    /// (Native AOT) build keeps its properties to look up (a test checks the list is complete).
    /// </summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(GatewayOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(AuthOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ProviderOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ChatSiteOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(UpstreamAuthOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ModelOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(ModelTargetOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(RoutingOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(LimitsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(StreamingOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(StateOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(CorsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties, typeof(TelemetryOptions))]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Every options record the walk reaches keeps its public properties through the DynamicDependency attributes above.")]
    private static void FindUnknownKeys(IConfigurationSection section, Type type, List<string> problems)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                problems.Add($"{child.Path}: unknown setting");
                continue;
            }

            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var elementType = ElementTypeOf(propertyType);
            if (propertyType.IsEnum)
            {
                // The binder drops a dictionary entry whose enum value does not convert (a provider with an
                // unknown Kind vanished, and the error named its model targets instead): name key and value.
                if (child.Value is { Length: > 0 } value && !IsEnumName(propertyType, value))
                {
                    problems.Add($"{child.Path}: '{value}' is not one of {EnumNames(propertyType)}");
                }
                else
                {
                    RequireValue(child, property.PropertyType, problems);
                }
            }
            else if (elementType is not null)
            {
                foreach (var item in child.GetChildren())
                {
                    if (IsOptionsRecord(elementType))
                    {
                        FindUnknownKeys(item, elementType, problems);
                    }
                    else
                    {
                        RequireValue(item, elementType, problems);
                    }
                }
            }
            else if (IsOptionsRecord(propertyType))
            {
                FindUnknownKeys(child, propertyType, problems);
            }
            else
            {
                RequireValue(child, property.PropertyType, problems);
            }
        }
    }

    /// <summary>
    /// A number, a switch or a choice given as an empty value (a JSON <c>null</c>, a variable set to nothing in a
    /// compose file) would leave its default in place without a word: the binder skips empty values. A nullable
    /// setting may be empty (it means unset).
    /// </summary>
    private static void RequireValue(IConfigurationSection section, Type type, List<string> problems)
    {
        if (!type.IsValueType || Nullable.GetUnderlyingType(type) is not null || !string.IsNullOrEmpty(section.Value) || section.GetChildren().Any())
        {
            return;
        }

        var expected = type.IsEnum ? "one of " + EnumNames(type) : type == typeof(bool) ? "true or false" : "a number";
        problems.Add($"{section.Path}: empty value (give {expected}, or leave the setting out for its default)");
    }

    private static string EnumNames(Type enumType) => string.Join(", ", Enum.GetNames(enumType).Where(n => n != "Unset"));

    // Names only: the binder would also take a number ("7"), which is never what a configuration means.
    private static bool IsEnumName(Type enumType, string value) =>
        Enum.GetNames(enumType).Any(name => name.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase));

    private static Type? ElementTypeOf(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(IReadOnlyList<>))
        {
            return type.GetGenericArguments()[0];
        }

        return definition == typeof(IReadOnlyDictionary<,>) ? type.GetGenericArguments()[1] : null;
    }

    private static bool IsOptionsRecord(Type type) => type.IsClass && type != typeof(string) && type.Namespace == typeof(GatewayOptions).Namespace;
}
