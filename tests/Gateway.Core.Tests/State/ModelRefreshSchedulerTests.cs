using Cronos;
using Gateway.State;
using Xunit;

namespace Gateway.Tests.State;

public sealed class ModelRefreshSchedulerTests
{
    [Theory]
    [InlineData("0 */10 * * * *", "2026-11-22T12:03:07Z", "2026-11-22T12:10:00Z")]
    [InlineData("0 */10 * * * *", "2026-11-22T12:10:00Z", "2026-11-22T12:20:00Z")]
    [InlineData("30 * * * * *", "2026-11-22T12:00:31Z", "2026-11-22T12:01:30Z")]
    [InlineData("0 0 3 * * MON", "2026-11-22T12:00:00Z", "2026-11-23T03:00:00Z")]
    public void Parse_SixFieldCronWithSeconds_GivesNextRunInUtc(string schedule, string now, string next)
    {
        var expression = ModelRefreshScheduler.Parse(schedule);

        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), expression.GetNextOccurrence(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Parse_FiveFieldCron_IsRejected()
    {
        Assert.Throws<CronFormatException>(() => ModelRefreshScheduler.Parse("*/10 * * * *"));
    }
}
