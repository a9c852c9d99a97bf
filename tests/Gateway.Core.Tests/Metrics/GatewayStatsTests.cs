using System.Diagnostics.Metrics;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Metrics;
using Gateway.Providers;
using Gateway.Routing;
using Gateway.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Gateway.Tests.Metrics;

public sealed class GatewayStatsTests
{
    [Fact]
    public void Stats_SumTheMeasurementsOfTheirOwnMeterOnly()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider(); // another gateway in the same process
        var providers = new ProviderRegistry(new GatewayOptions
        {
            Providers = new Dictionary<string, ProviderOptions> { ["p"] = new() { Kind = ProviderKind.OpenAI, BaseUrl = "http://127.0.0.1:1/v1" } },
        });
        using var metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>(), providers, new StateHealth(NullLogger<StateHealth>.Instance, TimeProvider.System));
        using var other = new GatewayMetrics(otherServices.GetRequiredService<IMeterFactory>(), providers, new StateHealth(NullLogger<StateHealth>.Instance, TimeProvider.System));
        using var stats = new GatewayStats(metrics, TimeProvider.System);

        metrics.RequestCompleted(Log("stop", 200, resolved: true, prompt: 10, completion: 4), 0.01);
        metrics.RequestCompleted(Log("upstream_error", 502, resolved: false, prompt: null, completion: null), 0.2);
        metrics.AttemptFinished(providers["p"], FailureKind.Timeout);
        metrics.AttemptFinished(providers["p"], null);
        metrics.FailedOver(providers["p"], FailureKind.Timeout);
        metrics.StreamEnded("chat_completions", done: true);
        other.RequestCompleted(Log("stop", 200, resolved: true, prompt: 1, completion: 1), 0.01);

        Assert.Equal(2, stats.RequestsTotal);
        Assert.Equal(1, stats.Requests[GatewayMetrics.EndReasonTag]["stop"].Value);
        Assert.Equal(1, stats.Requests[GatewayMetrics.EndReasonTag]["upstream_error"].Value);
        Assert.Equal(1, stats.Requests[GatewayMetrics.StatusClassTag]["5xx"].Value);
        Assert.Equal(1, stats.Requests[GatewayMetrics.ModelTag]["gpt-x"].Value);
        Assert.Equal(1, stats.Requests[GatewayMetrics.ModelTag][GatewayMetrics.OtherModel].Value); // an unresolved id is never a label
        Assert.Equal(1, stats.Attempts["timeout"].Value);
        Assert.Equal(1, stats.Attempts["ok"].Value);
        Assert.Equal(1, stats.Failovers["timeout"].Value);
        Assert.Equal(1, stats.Streams["done"].Value);
        Assert.Equal(10, stats.Tokens["input/reported"].Value);
        Assert.Equal(4, stats.Tokens["output/reported"].Value);
    }

    [Fact]
    public void Stats_Disabled_CountNothing()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var providers = new ProviderRegistry(new GatewayOptions());
        using var metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>(), providers, new StateHealth(NullLogger<StateHealth>.Instance, TimeProvider.System));
        using var stats = new GatewayStats(metrics, TimeProvider.System, enabled: false);

        metrics.RequestCompleted(Log("stop", 200, resolved: true, prompt: 1, completion: 1), 0.01);

        Assert.False(stats.Enabled);
        Assert.Equal(0, stats.RequestsTotal);
    }

    private static RequestLog Log(string endReason, int status, bool resolved, int? prompt, int? completion) => new()
    {
        RequestId = "r",
        Route = "chat_completions",
        Client = "curl",
        Model = resolved ? "gpt-x" : "made-up-by-a-client",
        ModelResolved = resolved,
        Provider = "p",
        EndReason = endReason,
        HttpStatus = status,
        PromptTokens = prompt,
        CompletionTokens = completion,
    };
}
