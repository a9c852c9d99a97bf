using System.Text.Json;
using Gateway.Json;
using Xunit;

namespace Gateway.Tests.Json;

/// <summary>
/// <see cref="JsonText"/> replaced the reflection serializer on the tool paths (the Native AOT build has
/// none); the model and the upstream must see the very same text as before, escaping included.
/// </summary>
public sealed class JsonTextTests
{
    public static TheoryData<string> Strings() => new()
    {
        string.Empty,
        "plain",
        "quote \" backslash \\ slash /",
        "line\nbreak\ttab\r\u0001\u001f",
        "<b>&'html'</b>",
        "非 ASCII ü é 😀",
        "{\"already\":\"json\"}",
        "\u2028\u2029",
    };

    [Theory]
    [MemberData(nameof(Strings))]
    public void String_IsWhatTheSerializerWrote(string value)
    {
        Assert.Equal(JsonSerializer.Serialize(value), JsonText.String(value));
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public void ObjectOfAString_IsWhatTheSerializerWroteForADictionary(string value)
    {
        Assert.Equal(JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = value }), JsonText.Object("input", value));
    }

    [Theory]
    [InlineData("""{ "a" : [1, 2.50, true, null], "b": "x<y>z ü", "c": {"d": "\u00e9\ud83d\ude00"} }""")]
    [InlineData("""[ 1, "two", {"three": 3} ]""")]
    [InlineData("\"a string\"")]
    [InlineData("-1.5e3")]
    public void Element_AndObjectOfAnElement_AreWhatTheSerializerWrote(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(JsonSerializer.Serialize(document.RootElement), JsonText.Element(document.RootElement));
        Assert.Equal(
            JsonSerializer.Serialize(new Dictionary<string, JsonElement> { ["value"] = document.RootElement }),
            JsonText.Object("value", document.RootElement));
    }

    [Fact]
    public void String_WithALoneSurrogate_IsWhatTheSerializerWrote()
    {
        // The serializer's writer does not throw on a lone surrogate; it writes it escaped, as JsonText does.
        Assert.Equal(JsonSerializer.Serialize("a\ud800b"), JsonText.String("a\ud800b"));
        Assert.Equal(JsonSerializer.Serialize(new Dictionary<string, string> { ["input"] = "\udc00" }), JsonText.Object("input", "\udc00"));
    }
}
