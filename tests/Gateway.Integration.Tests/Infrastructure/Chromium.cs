namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, for Playwright (launched by executable path: Playwright's own browser download is
/// not reachable here). <c>.ci/run</c> installs it; <c>GATEWAY_CHROMIUM</c> names another binary.
/// </summary>
public static class Chromium
{
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    /// <summary>The browser binary; fails (never skips) with how to install it when there is none.</summary>
    public static string Path()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"GATEWAY_CHROMIUM names {configured}, which does not exist.");
        }

        return Candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                "The admin page's browser test needs chromium: run `apt-get install -y chromium` (Debian; .ci/run does it) " +
                "or set GATEWAY_CHROMIUM to a Chromium binary.");
    }
}
