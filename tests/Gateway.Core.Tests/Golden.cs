namespace Gateway.Tests;

/// <summary>
/// Golden files under fixtures/. Set GATEWAY_UPDATE_GOLDEN=1 to (re)write an expected file from the
/// current output — then read the diff before committing it.
/// </summary>
internal static class Golden
{
    private static readonly string SourceFixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../fixtures"));

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", relativePath));

    public static void AssertMatches(string relativePath, string actual)
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceFixtures, relativePath), actual);
            return;
        }

        var expected = Read(relativePath);
        Xunit.Assert.Equal(expected, actual);
    }
}
