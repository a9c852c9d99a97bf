namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>The repository these tests were built from (samples, projects).</summary>
public static class Repository
{
    /// <summary>The folder holding <c>Gateway.sln</c>, found upwards from the test's output.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
