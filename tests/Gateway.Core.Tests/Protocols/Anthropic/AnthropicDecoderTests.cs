using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Protocols.Anthropic;
using Gateway.Providers;
using Gateway.Routing;
using Xunit;

namespace Gateway.Tests.Protocols.Anthropic;

public sealed class AnthropicDecoderTests
{
    // Regression: a message that is not valid Unicode threw out of FailureOf (a 500 instead of a failover).
    [Fact]
    public void FailureOf_UndecodableMessage_IsClassifiedByItsType()
    {
        var failure = new AnthropicDecoder("p").FailureOf(Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"overloaded_error","message":"\ud800"}}"""), 200, "error event");

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
    }

    // Regression: 529 was retryable like 503 but its Retry-After was ignored, so the target got no cooldown.
    [Fact]
    public void Overloaded529_RetryAfterPutsTheTargetOnCooldown()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)529);
        response.Headers.TryAddWithoutValidation("Retry-After", "7");
        var provider = new Provider("p", new ProviderOptions { Kind = ProviderKind.Anthropic, BaseUrl = "http://upstream.test/v1" });

        var failure = FailureClassifier.FromStatus(provider, response.StatusCode, response.Headers, "Overloaded");

        Assert.Equal(FailureKind.RetryableStatus, failure.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
    }
}
