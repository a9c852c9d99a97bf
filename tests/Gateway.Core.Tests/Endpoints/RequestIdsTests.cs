using System.Text.RegularExpressions;
using Gateway.Endpoints;
using Xunit;

namespace Gateway.Tests.Endpoints;

public sealed class RequestIdsTests
{
    [Fact]
    public void New_IsAVersion4GuidInNFormat()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = RequestIds.New();

            Assert.Matches(new Regex("^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$"), id);
            Assert.Equal(4, Guid.ParseExact(id, "N").Version);
        }
    }

    [Fact]
    public void New_IsUnique()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(ids.Add(RequestIds.New()));
        }
    }
}
