using System.Text;
using Gateway.Configuration;
using Gateway.Protocols.Gemini;
using Gateway.Providers;
using Xunit;

namespace Gateway.Tests.Protocols.Gemini;

public sealed class GeminiModelListTests
{
    [Fact]
    public void Parse_KeepsGenerateContentModels_WithoutTheModelsPrefix()
    {
        var body = """
            {"models":[
              {"name":"models/gemini-2.5-pro","supportedGenerationMethods":["generateContent","countTokens"]},
              {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]},
              {"name":"models/gemini-3-flash","supportedGenerationMethods":["countTokens","generateContent"]}],
             "nextPageToken":"page-2"}
            """;

        var (models, next) = GeminiModelList.Parse(Encoding.UTF8.GetBytes(body), "g");

        Assert.Equal(["gemini-2.5-pro", "gemini-3-flash"], models!.Select(m => m.Id));
        Assert.Equal("page-2", next);
    }

    [Fact]
    public void Parse_ErrorBody_IsNoList()
    {
        var (models, _) = GeminiModelList.Parse("""{"error":{"code":403,"status":"PERMISSION_DENIED"}}"""u8, "g");

        Assert.Null(models);
    }

    [Fact]
    public void ProviderUris_NameTheModelAndTheMethod()
    {
        var provider = new Provider("g", new ProviderOptions { Kind = ProviderKind.Gemini, BaseUrl = "https://generativelanguage.googleapis.com/v1beta/" });

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", provider.ChatUriFor("gemini-2.5-pro", stream: true).AbsoluteUri);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent", provider.ChatUriFor("models/gemini-2.5-pro", stream: false).AbsoluteUri);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:countTokens", provider.CountTokensUriFor("gemini-2.5-pro")!.AbsoluteUri);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=p%2F2", GeminiModelList.PageUri(provider.ModelsUri!, "p/2").AbsoluteUri);
    }
}
