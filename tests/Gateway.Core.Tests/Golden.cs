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
            var path = Path.Combine(SourceFixtures, relativePath);
            var changed = !File.Exists(path) || File.ReadAllText(path) != actual;
            File.WriteAllText(path, actual);

            // An update run must not read as a pass: the rewritten file has not been checked by anyone yet.
            Xunit.Assert.False(changed, $"{relativePath} was rewritten from the current output; read the diff, then run again without GATEWAY_UPDATE_GOLDEN.");
            return;
        }

        var expected = Read(relativePath);
        Xunit.Assert.Equal(expected, actual);
    }
}
