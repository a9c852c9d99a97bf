using System.Net;
using Gateway.Endpoints;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Admin;

/// <summary>Every admin route: the admin key only (never a client key), 404 when no admin key is configured.</summary>
public sealed class AdminAuthTests
{
    private const string AdminKey = "admin-auth-secret";

    [Fact]
    public async Task EveryAdminRoute_AdminKeyOnly_NotFoundWithoutOne()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var withAdmin = TestConfig.Single(upstream.BaseUrl).Bearer(("client", "sk-client")).Set("Auth:AdminKey", AdminKey);
        await using var gateway = await GatewayApp.StartAsync(withAdmin);
        await using var noAdmin = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Bearer(("client", "sk-client")));
        var page = new[] { GatewayRouteTable.ManageUi, GatewayRouteTable.ManageUiScript, GatewayRouteTable.ManageUiStyle, GatewayRouteTable.ManageUiIcon };
        var routes = GatewayRouteTable.All.Where(r => (r.Template.StartsWith("manage/", StringComparison.Ordinal) || r == GatewayRouteTable.Metrics) && !page.Contains(r)).ToList();

        Assert.Contains(GatewayRouteTable.ManageOverrides, routes);
        foreach (var route in routes)
        {
            var method = new HttpMethod(route.Methods[0]);
            var path = "/" + route.Template.Replace("{id}", "some-session", StringComparison.Ordinal);
            using var none = await gateway.Client.SendAsync(method, path, Body(method));
            using var client = await gateway.Client.SendAsync(method, path, Body(method), r => r.Bearer("sk-client"));
            using var off = await noAdmin.Client.SendAsync(method, path, Body(method), r => r.Bearer(AdminKey));
            using var admin = await gateway.Client.SendAsync(method, path, Body(method), r => r.Bearer(AdminKey));

            Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a key: {(int)none.StatusCode}");
            Assert.True(client.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with a client key: {(int)client.StatusCode}");
            Assert.True(off.StatusCode == HttpStatusCode.NotFound, $"{method} {path} with no admin key configured: {(int)off.StatusCode}");
            Assert.True(admin.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) || route == GatewayRouteTable.ManageSessions,
                $"{method} {path} with the admin key: {(int)admin.StatusCode}");
        }
    }

    [Fact]
    public async Task AdminPage_LoadsWithoutAKey_NotFoundWithoutAnAdminKeyConfigured()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var gateway = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl).Set("Auth:AdminKey", AdminKey));
        await using var noAdmin = await GatewayApp.StartAsync(TestConfig.Single(upstream.BaseUrl));

        foreach (var (path, type) in new[] { ("/manage/ui", "text/html"), ("/manage/ui/admin.js", "text/javascript"), ("/manage/ui/admin.css", "text/css"), ("/manage/ui/icon.svg", "image/svg+xml") })
        {
            using var page = await gateway.Client.GetAsync(path);
            using var head = await gateway.Client.SendAsync(HttpMethod.Head, path);
            using var off = await noAdmin.Client.GetAsync(path);
            using var post = await gateway.Client.SendAsync(HttpMethod.Post, path, "{}");
            var body = await page.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(type, page.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("http", csp, StringComparison.Ordinal); // no other origin allowed
            Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.DoesNotContain(AdminKey, body, StringComparison.Ordinal);
        }
    }

    private static string? Body(HttpMethod method) => method == HttpMethod.Post ? """{"model":"gpt-test"}""" : null;
}
