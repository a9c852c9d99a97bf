using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.FakeUpstream;
using Gateway.Integration.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Gateway.Integration.Tests.Admin;

/// <summary>
/// <c>GET /manage/ui</c> in a real browser: Debian's chromium driven by Playwright (its own browser download
/// is not reachable here; <c>.ci/run</c> installs chromium). Never skipped: without chromium it fails and says how to get it.
/// </summary>
public sealed class AdminPageBrowserTests
{
    private const string AdminKey = "admin-page-secret";

    [Fact]
    public async Task AdminPage_SignIn_EditAndSaveAnOverride_ThenAChatRoutesByIt()
    {
        await using var main = await FakeUpstreamServer.StartAsync();
        await using var alt = await FakeUpstreamServer.StartAsync();
        var config = new TestConfig()
            .Provider("main", main.BaseUrl, "fake-model")
            .Provider("alt", alt.BaseUrl, "alt-model")
            .Model("gpt-test", ("main", "fake-model"))
            .Set("Auth:AdminKey", AdminKey);
        await using var gateway = await GatewayApp.StartAsync(config);
        using var warmup = await gateway.Client.PostAsync(Requests.Hello);
        Assert.Equal(HttpStatusCode.OK, warmup.StatusCode);
        Assert.Single(main.Requests);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path(),
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000); // the machine is shared: allow for a slow browser
        var problems = new ConcurrentQueue<string>();
        var requested = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue("page error: " + error);
        page.Request += (_, request) => requested.Enqueue(request.Url);

        try
        {
            var loaded = await page.GotoAsync(new Uri(gateway.Root, "/manage/ui").ToString());
            Assert.NotNull(loaded);
            Assert.Equal(200, loaded.Status);
            Assert.Contains("default-src 'self'", await loaded.HeaderValueAsync("content-security-policy") ?? string.Empty, StringComparison.Ordinal);

            // Sign in: the key goes to session storage, never into a URL.
            await page.FillAsync("#admin-key", AdminKey);
            await page.ClickAsync("#sign-in");
            await page.Locator("#app").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
            await page.Locator("#providers-table tr[data-provider='alt']").WaitForAsync();
            Assert.Equal(AdminKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('gateway.adminKey')"));
            Assert.True(await page.Locator("#login").IsHiddenAsync());
            Assert.Equal("OpenAI", await page.Locator("#providers-table tr[data-provider='main'] td").Nth(1).TextContentAsync());
            Assert.Contains("configuration", await page.Locator("#models-table tr[data-model='gpt-test']").TextContentAsync() ?? string.Empty, StringComparison.Ordinal);

            // Edit gpt-test: move it to alt's model on channel blue, check the preview, save.
            await page.Locator("#models-table tr[data-model='gpt-test'] button").ClickAsync();
            Assert.Equal("gpt-test", await page.InputValueAsync("#alias"));
            var row = page.Locator("#targets-table tbody tr").First;
            await row.Locator(".target-provider").SelectOptionAsync("alt");
            await row.Locator(".target-model").FillAsync("alt-model");
            await row.Locator(".target-weight").FillAsync("2");
            await row.Locator(".target-channel").FillAsync("blue");
            var preview = await page.Locator("#preview").TextContentAsync() ?? string.Empty;
            Assert.Contains("\"gpt-test\"", preview, StringComparison.Ordinal);
            Assert.Contains("\"alt-model\"", preview, StringComparison.Ordinal);
            Assert.Contains("\"channel\": \"blue\"", preview, StringComparison.Ordinal);
            await page.ClickAsync("#save");
            await Assertions.Expect(page.Locator("#save-status")).ToContainTextAsync("Saved");
            await Assertions.Expect(page.Locator("#models-table tr[data-model='gpt-test']")).ToContainTextAsync("override");

            // The next chat request routes by the saved override.
            using var chat = await gateway.Client.PostAsync(Requests.Hello);
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
            var sent = Assert.Single(alt.Requests);
            Assert.Equal("alt-model", sent.Json["model"]!.GetValue<string>());
            Assert.Equal("blue", sent.Header("X-Channel"));
            Assert.Single(main.Requests);

            // The live counters pick the request up on their next refresh.
            await Assertions.Expect(page.Locator("#by-provider tr[data-key='alt']")).ToBeVisibleAsync();
            Assert.Matches(new Regex("^[1-9][0-9]*$"), await page.Locator("#stat-requests").TextContentAsync() ?? string.Empty);

            Assert.All(requested, url => Assert.DoesNotContain(AdminKey, url, StringComparison.Ordinal));
            Assert.All(requested, url => Assert.StartsWith(gateway.Root.GetLeftPart(UriPartial.Authority), url, StringComparison.Ordinal));
            Assert.DoesNotContain(AdminKey, page.Url, StringComparison.Ordinal);
            Assert.True(problems.IsEmpty, "browser console: " + string.Join(" | ", problems));
        }
        finally
        {
            var artifacts = Path.Combine(Repository.Root, "artifacts");
            Directory.CreateDirectory(artifacts);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "admin-page.png"), FullPage = true });
        }
    }
}
