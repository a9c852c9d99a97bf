using System.Reflection;

namespace Gateway.Functions.Tests;

/// <summary>Where the build put what these tests read (written into the assembly by the project file).</summary>
internal static class BuildPaths
{
    /// <summary>The Functions app's build output: <c>functions.metadata</c>, <c>host.json</c>.</summary>
    public static string FunctionsOutput => Metadata("FunctionsOutputDirectory");

    /// <summary>The Bicep CLI restored from NuGet (<c>Azure.Bicep.CommandLine.linux-x64</c>).</summary>
    public static string Bicep => Metadata("BicepPath");

    /// <summary>The repository's root folder.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    private static string Metadata(string key) =>
        typeof(BuildPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
