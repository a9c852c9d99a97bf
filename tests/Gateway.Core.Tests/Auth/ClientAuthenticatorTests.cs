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

    private static readonly GatewayOptions None = new()
    {
        Auth = new AuthOptions
        {
            Mode = AuthMode.None,
            Keys = new Dictionary<string, string> { ["a"] = "sk-aaa", ["b"] = "sk-bbb" },
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

    [Fact]
    public void TryAuthenticate_ModeNoneWithoutKey_IsAnonymous()
    {
        var auth = new ClientAuthenticator(None);

        Assert.True(auth.TryAuthenticate(new DefaultHttpContext().Request, out var keyName));
        Assert.Equal(ClientAuthenticator.AnonymousKeyName, keyName);
        Assert.Equal("anonymous", keyName);
    }

    [Theory]
    [InlineData("Authorization", "Bearer sk-aaa", "a")]
    [InlineData("X-Api-Key", "sk-bbb", "b")]
    [InlineData("Authorization", "Bearer sk-unknown", "anonymous")]
    [InlineData("Authorization", "Basic c2stYWFh", "anonymous")]
    public void TryAuthenticate_ModeNone_NamesAKnownKeyAndAcceptsAnyOther(string header, string value, string name)
    {
        var auth = new ClientAuthenticator(None);

        Assert.True(auth.TryAuthenticate(Request(header, value), out var keyName));
        Assert.Equal(name, keyName);
    }

    [Fact]
    public void TryAuthenticate_BearerModeWithoutKey_IsRefused()
    {
        Assert.False(new ClientAuthenticator(Bearer).TryAuthenticate(new DefaultHttpContext().Request, out var keyName));
        Assert.Equal("-", keyName);
    }

    [Fact]
    public void IsAdmin_NoAdminKeyConfigured_NobodyIs()
    {
        var auth = new ClientAuthenticator(None);

        Assert.False(auth.AdminConfigured);
        Assert.False(auth.IsAdmin(Request("Authorization", "Bearer sk-aaa")));
        Assert.False(auth.IsAdmin(new DefaultHttpContext().Request));
        Assert.True(new ClientAuthenticator(Bearer).AdminConfigured);
    }

    [Theory]
    [InlineData("Authorization", "Bearer  sk-aaa  ", "sk-aaa")]
    [InlineData("Authorization", "BEARER x", "x")]
    [InlineData("Authorization", "Bearer ", null)]
    [InlineData("Authorization", "Bearer    ", null)]
    [InlineData("Authorization", "Bearerx", null)]
    [InlineData("X-Api-Key", "  sk-bbb ", "sk-bbb")]
    [InlineData("X-Api-Key", "   ", null)]
    public void PresentedKey_TrimsAndRequiresAValue(string header, string value, string? expected)
    {
        Assert.Equal(expected, ClientAuthenticator.PresentedKey(Request(header, value)));
    }

    [Theory]
    [InlineData("Basic c2stYWFh")]
    [InlineData("Bearer ")]
    [InlineData("Token sk-other")]
    public void PresentedKey_NoBearerToken_FallsBackToApiKey(string authorization)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = authorization;
        context.Request.Headers["X-Api-Key"] = "sk-aaa";

        Assert.Equal("sk-aaa", ClientAuthenticator.PresentedKey(context.Request));
    }

    [Fact]
    public void PresentedKey_BearerWins_OverApiKey()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer from-bearer";
        context.Request.Headers["x-api-key"] = "from-api-key";

        Assert.Equal("from-bearer", ClientAuthenticator.PresentedKey(context.Request));
    }
}
