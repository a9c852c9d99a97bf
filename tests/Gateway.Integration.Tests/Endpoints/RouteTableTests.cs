using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Endpoints;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Xunit;

namespace Gateway.Integration.Tests.Endpoints;

/// <summary>The Server serves exactly Core's route table (the table Functions is checked against).</summary>
public sealed class RouteTableTests
{
    [Fact]
    public async Task Server_EveryTableRoute_AnswersItsMethodsAndRefusesOthers()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var config = TestConfig.Single(upstream.BaseUrl)
            .Set("Auth:AdminKey", "admin-test")
            .Set("Cors:AllowedOrigins:0", "https://app.example");
        await using var gateway = await GatewayApp.StartAsync(config);

        foreach (var route in GatewayRouteTable.All.Where(r => r != GatewayRouteTable.Fallback))
        {
            foreach (var method in route.Methods)
            {
                using var response = await SendAsync(gateway, method, route);
                Assert.True(
                    response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed),
                    $"{method} /{route.Template}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            using var refused = await SendAsync(gateway, "PUT", route);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
            if (!route.AnswersPreflight)
            {
                using var preflight = await SendAsync(gateway, "OPTIONS", route);
                Assert.Equal(HttpStatusCode.MethodNotAllowed, preflight.StatusCode);
            }
        }

        using var unknown = await gateway.Client.GetAsync("/no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("not_found", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    private static Task<HttpResponseMessage> SendAsync(GatewayApp gateway, string method, GatewayRoute route)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "/" + route.Template);
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.TryAddWithoutValidation("x-api-key", "admin-test");
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return gateway.Client.SendAsync(request);
    }
}
