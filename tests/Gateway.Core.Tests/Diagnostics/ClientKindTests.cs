using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Tests.Diagnostics;

public sealed class ClientKindTests
{
    [Theory]
    [InlineData("claude-cli/2.0.14 (external, cli)", "claude-code")]
    [InlineData("opencode/0.15.2 ai-sdk/provider-utils/3.0.9", "opencode")]
    [InlineData("OpenAI/Python 1.99.1", "openai-sdk")]
    [InlineData("OpenAI/2.15.0 (.NET 10.0.0; Linux)", "openai-sdk")]
    [InlineData("codex_cli_rs/0.46.0", "codex")]
    [InlineData("curl/8.5.0", "curl")]
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    [InlineData("Mozilla/5.0", "other")]
    public void FromUserAgent_NamesTheProduct(string? userAgent, string expected)
    {
        Assert.Equal(expected, ClientKind.FromUserAgent(userAgent));
    }
}
