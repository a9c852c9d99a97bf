using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gateway.Tests.Configuration;

public sealed class GatewayOptionsLoaderTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["Gateway:Auth:Mode"] = "Bearer",
        ["Gateway:Auth:Keys:newapi"] = "sk-abc",
        ["Gateway:Providers:openai:Kind"] = "OpenAI",
        ["Gateway:Providers:openai:BaseUrl"] = "https://api.openai.com/v1",
        ["Gateway:Providers:openai:ApiKey"] = "sk-up",
        ["Gateway:Models:0:Id"] = "gpt-4o",
        ["Gateway:Models:0:Targets:0:Provider"] = "openai",
        ["Gateway:Models:0:Targets:0:Model"] = "gpt-4o-2024-08-06",
    };

    private static GatewayOptions Load(Dictionary<string, string?> values) =>
        GatewayOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    [Fact]
    public void Load_BindsValuesAndDocumentedDefaults()
    {
        var options = Load(Valid());

        var provider = options.Providers["openai"];
        Assert.Equal(ProviderKind.OpenAI, provider.Kind);
        Assert.Equal(120, provider.FirstByteTimeoutSeconds);
        Assert.Equal(600, provider.ResponseTimeoutSeconds);
        Assert.Equal(256, provider.MaxConcurrency);
        Assert.Equal("408,429,500,502-504", provider.RetryableStatusCodes);
        Assert.True(provider.StreamOptions);
        Assert.Equal(3, options.Routing.MaxAttempts);
        Assert.Equal(60, options.Routing.MaxFailoverSeconds);
        Assert.Equal(33554432, options.Limits.MaxRequestBytes);
        Assert.Equal(20, options.Limits.RequestsPerSecond);
        Assert.Equal(40, options.Limits.Burst);
        Assert.Equal(15, options.Streaming.KeepAliveSeconds);
        Assert.Equal(20, options.Streaming.CommitAfterSeconds);
        Assert.Equal(10, options.Streaming.ShutdownGraceSeconds);
        Assert.Equal("gpt-4o-2024-08-06", options.Models[0].Targets[0].Model);
    }

    [Theory]
    [InlineData("Gateway:Auth:Keys:other", "sk-abc", "Gateway:Auth:Keys:other: duplicates another key")]
    [InlineData("Gateway:Auth:AdminKey", "sk-abc", "Gateway:Auth:Keys:newapi: must differ from AdminKey")]
    [InlineData("Gateway:Providers:openai:Headers:Host", "x", "Gateway:Providers:openai:Headers:Host")]
    [InlineData("Gateway:Providers:openai:Headers:X-Bad", "a\nb", "Gateway:Providers:openai:Headers:X-Bad")]
    [InlineData("Gateway:Providers:openai:Weight", "-1", "Gateway:Providers:openai:Weight")]
    [InlineData("Gateway:Providers:openai:Kind", "Vertex", "Gateway:Providers:openai:Kind: 'Vertex' is not one of OpenAI, Anthropic, Gemini, ChatSite")]
    [InlineData("Gateway:Providers:openai:UpstreamAuth:ManagedIdentityClientId", "abc", "Gateway:Providers:openai:UpstreamAuth:ManagedIdentityClientId: is only used with Mode AzureAD")]
    [InlineData("Gateway:Providers:openai:UpstreamAuth:Scope", "api://x/.default", "Gateway:Providers:openai:UpstreamAuth:Scope: is only used with Mode AzureAD")]
    [InlineData("Gateway:Providers:openai:UpstreamAuth:Mode", "Managed", "Gateway:Providers:openai:UpstreamAuth:TokenUrl")]
    [InlineData("Gateway:State:TablePrefix", "1bad", "Gateway:State:TablePrefix")]
    [InlineData("Gateway:State:TablePrefix", "has-dash", "Gateway:State:TablePrefix")]
    [InlineData("Gateway:State:TablePrefix", "a123456789b123456789c123456789d123456789e1234567890X", "Gateway:State:TablePrefix: must match")]
    [InlineData("Gateway:Providers:openai:Headers:X Bad", "x", "Gateway:Providers:openai:Headers:X Bad: is not a valid header name")]
    [InlineData("Gateway:Providers:openai:Headers:X-Badé", "x", "is not a valid header name")]
    [InlineData("Gateway:State:RefreshSchedule", "*/10 * * * *", "Gateway:State:RefreshSchedule")]
    [InlineData("Gateway:State:SessionTtlMinutes", "0", "Gateway:State:SessionTtlMinutes")]
    [InlineData("Gateway:State:ReloadSeconds", "-1", "Gateway:State:ReloadSeconds")]
    [InlineData("Gateway:State:ManagedIdentityClientId", "abc", "Gateway:State:ManagedIdentityClientId")]
    [InlineData("Gateway:Models:1:Id", "gpt-4o", "Gateway:Models:1:Id: 'gpt-4o' is listed twice")]
    [InlineData("Gateway:Limits:Burst", "0", "Gateway:Limits:Burst")]
    [InlineData("Gateway:Streaming:KeepAliveSeconds", "0", "Gateway:Streaming:KeepAliveSeconds")]
    [InlineData("Gateway:Unknown", "x", "Gateway:Unknown: unknown setting")]
    [InlineData("Gateway:Models:0:Targets:0:Wieght", "2", "Gateway:Models:0:Targets:0:Wieght: unknown setting")]
    [InlineData("Gateway:Routing:MaxAttempts", "three", "Gateway:Routing:MaxAttempts")]
    public void Load_InvalidValue_NamesTheKey(string key, string value, string expected)
    {
        var values = Valid();
        values[key] = value;

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Z9")]
    [InlineData("a123456789b123456789c123456789d123456789e1234567890")]
    public void Load_TablePrefix_OneLetterThenUpTo50LettersOrDigits_IsAccepted(string prefix)
    {
        var values = Valid();
        values["Gateway:State:TablePrefix"] = prefix;

        Assert.Equal(prefix, Load(values).State.TablePrefix);
    }

    [Fact]
    public void Load_HeaderNameOfEveryTokenCharacter_IsAccepted()
    {
        var values = Valid();
        values["Gateway:Providers:openai:Headers:!#$%&'*+.^_`|~09AZaz-"] = "x";

        Assert.Equal("x", Load(values).Providers["openai"].Headers["!#$%&'*+.^_`|~09AZaz-"]);
    }

    [Fact]
    public void Load_GeminiProvider_IsAcceptedAndItsChatPathNeedsTheModel()
    {
        var values = Valid();
        values["Gateway:Providers:gemini:Kind"] = "Gemini";
        values["Gateway:Providers:gemini:BaseUrl"] = "https://generativelanguage.googleapis.com/v1beta";
        values["Gateway:Providers:gemini:ApiKey"] = "g-key";

        Assert.Equal(ProviderKind.Gemini, Load(values).Providers["gemini"].Kind);

        values["Gateway:Providers:gemini:ChatPath"] = "/models/gemini-x:generateContent";
        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));
        Assert.Contains("Gateway:Providers:gemini:ChatPath: for Gemini-kind providers must hold {model}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsEveryProblemAtOnce()
    {
        var values = Valid();
        values["Gateway:Providers:openai:BaseUrl"] = "ftp://x";
        values["Gateway:Routing:MaxAttempts"] = "0";

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));

        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void Load_StaticAuthWithoutKey_IsRejected()
    {
        var values = Valid();
        values.Remove("Gateway:Providers:openai:ApiKey");
        values["Gateway:Providers:openai:UpstreamAuth:Mode"] = "Static";

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));

        Assert.Contains("Gateway:Providers:openai:ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_StateDefaults()
    {
        var state = Load(Valid()).State;

        Assert.False(state.UsesTableStorage);
        Assert.Equal("gateway", state.TablePrefix);
        Assert.Equal(1440, state.SessionTtlMinutes);
        Assert.False(state.ImplicitSessions);
        Assert.Equal(30, state.ReloadSeconds);
        Assert.Equal("0 */10 * * * *", state.RefreshSchedule);
    }

    [Fact]
    public void Load_UnderFunctions_RequiresTableStorage()
    {
        var values = Valid();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var error = Assert.Throws<GatewayConfigurationException>(() => GatewayOptionsLoader.Load(configuration, GatewayHostKind.Functions));
        values["Gateway:State:ConnectionString"] = "UseDevelopmentStorage=true";
        var functions = GatewayOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), GatewayHostKind.Functions);

        Assert.Contains("Gateway:State: required under Azure Functions", error.Message, StringComparison.Ordinal);
        Assert.True(functions.State.UsesTableStorage);
    }

    [Fact]
    public void Load_ConnectionStringAndEndpointTogether_IsRejected()
    {
        var values = Valid();
        values["Gateway:State:ConnectionString"] = "UseDevelopmentStorage=true";
        values["Gateway:State:TableEndpoint"] = "https://acct.table.core.windows.net";

        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));

        Assert.Contains("set ConnectionString or TableEndpoint, not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RefreshScheduleAppSetting_WinsAndIsValidated()
    {
        var values = Valid();
        values[StateOptions.RefreshScheduleSetting] = "30 * * * * *";
        Assert.Equal("30 * * * * *", Load(values).State.RefreshSchedule);

        values[StateOptions.RefreshScheduleSetting] = "not cron";
        var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));
        Assert.Contains("Gateway:State:RefreshSchedule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Limits:RequestsPerSecond", "give a number")]
    [InlineData("Gateway:Providers:openai:Weight", "give a number")]
    [InlineData("Gateway:Providers:openai:StreamOptions", "give true or false")]
    [InlineData("Gateway:Providers:openai:Kind", "give one of OpenAI, Anthropic")]
    [InlineData("Gateway:Auth:Mode", "give one of")]
    [InlineData("Gateway:Providers:openai:ChatSite:Modes:search", "give true or false")]
    public void EmptyValueForANumberSwitchOrChoice_IsNamed(string key, string expected)
    {
        // The binder skips empty values, so a JSON null or an unset compose variable would keep the default silently.
        foreach (var empty in new[] { string.Empty, null })
        {
            var values = Valid();
            values[key] = empty;

            var error = Assert.Throws<GatewayConfigurationException>(() => Load(values));

            Assert.Contains($"{key}: empty value ({expected}", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EmptyValueForANullableNumber_MeansUnset()
    {
        var values = Valid();
        values["Gateway:Models:0:Targets:0:Weight"] = string.Empty;

        var options = Load(values);

        Assert.Null(options.Models[0].Targets[0].Weight);
    }

    [Fact]
    public void UnknownKeyWalk_KeepsThePropertiesOfEveryOptionsRecordItReaches()
    {
        // A trimmed (Native AOT) build keeps an options record's properties for the unknown-key walk only
        // when the walk names it; one left out would make each of its keys an "unknown setting" there.
        var walk = typeof(GatewayOptionsLoader).GetMethod("FindUnknownKeys", BindingFlags.NonPublic | BindingFlags.Static)!;
        var kept = walk.GetCustomAttributes<DynamicDependencyAttribute>()
            .Where(a => a.MemberTypes.HasFlag(DynamicallyAccessedMemberTypes.PublicProperties))
            .Select(a => a.Type!)
            .ToHashSet();

        Assert.Equal(OptionsRecordsFrom(typeof(GatewayOptions)).OrderBy(t => t.Name), kept.OrderBy(t => t.Name));
    }

    private static HashSet<Type> OptionsRecordsFrom(Type root)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>([root]);
        while (pending.TryPop(out var type))
        {
            if (!found.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var propertyType = property.PropertyType;
                var candidates = propertyType.IsGenericType ? propertyType.GetGenericArguments() : [propertyType];
                foreach (var candidate in candidates.Where(t => t.IsClass && t.Namespace == root.Namespace))
                {
                    pending.Push(candidate);
                }
            }
        }

        return found;
    }
}
