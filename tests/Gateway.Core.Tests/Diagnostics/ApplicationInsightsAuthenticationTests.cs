using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Tests.Diagnostics;

public sealed class ApplicationInsightsAuthenticationTests
{
    [Theory]
    [InlineData("ClientId=1b2c3d4e-0000-0000-0000-000000000001;Authorization=AAD", true, "1b2c3d4e-0000-0000-0000-000000000001")]
    [InlineData("Authorization=AAD; ClientId = abc ", true, "abc")]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("ClientId=abc", false, null)]
    [InlineData("", false, null)]
    [InlineData(null, false, null)]
    public void TryParse_ReadsAadAndTheClientId(string? value, bool aad, string? clientId)
    {
        Assert.Equal(aad, ApplicationInsightsAuthentication.TryParse(value, out var parsed));
        Assert.Equal(clientId, parsed);
    }
}
