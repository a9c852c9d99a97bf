using Gateway.Auth;
using Gateway.Configuration;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.Auth;

public sealed class ClientAuthenticatorTests
{
    private static readonly GatewayOptions Bearer = new()
    {
        Auth = new AuthOptions
        {
            Mode = AuthMode.Bearer,
            Keys = new Dictionary<string, string> { ["a"] = "sk-aaa", ["b"] = "sk-bbb" },
            AdminKey = "admin",
        },
    };

    private static HttpRequest Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context.Request;
    }

    [Theory]
    [InlineData("Authorization", "Bearer sk-bbb", "b")]
    [InlineData("Authorization", "bearer sk-aaa", "a")]
    [InlineData("X-Api-Key", "sk-aaa", "a")]
    public void TryAuthenticate_KnownKey_GivesItsName(string header, string value, string name)
    {
        var auth = new ClientAuthenticator(Bearer);

        Assert.True(auth.TryAuthenticate(Request(header, value), out var keyName));
        Assert.Equal(name, keyName);
    }

    [Theory]
    [InlineData("Authorization", "Bearer ")]
    [InlineData("Authorization", "Basic c2stYWFh")]
    [InlineData("Authorization", "Bearer sk-aa")]
    [InlineData("Authorization", "Bearer admin")]
    [InlineData("X-Api-Key", "sk-aaaa")]
    public void TryAuthenticate_UnknownOrMalformed_IsRefused(string header, string value)
    {
        Assert.False(new ClientAuthenticator(Bearer).TryAuthenticate(Request(header, value), out _));
    }

    [Fact]
    public void IsAdmin_OnlyForAdminKey()
    {
        var auth = new ClientAuthenticator(Bearer);

        Assert.True(auth.IsAdmin(Request("Authorization", "Bearer admin")));
        Assert.False(auth.IsAdmin(Request("Authorization", "Bearer sk-aaa")));
    }
}
