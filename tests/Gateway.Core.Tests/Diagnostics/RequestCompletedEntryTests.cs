using System.Buffers;
using System.Globalization;
using System.Text;
using Gateway.Diagnostics;
using Xunit;

namespace Gateway.Core.Tests.Diagnostics;

/// <summary>
/// The request line's state: its UTF-8 message, its string and its structured fields say the same, in the text the
/// generated logging code wrote before (so log parsers keep working).
/// </summary>
public sealed class RequestCompletedEntryTests
{
    public static TheoryData<string> Cases => ["complete", "failed", "bare"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Message_IsTheGeneratedFormatsText_InUtf8AndAsAString(string name)
    {
        var (log, duration) = Log(name);
        var entry = new RequestCompletedEntry(log, duration);
        var buffer = new ArrayBufferWriter<byte>(16);

        entry.WriteMessage(buffer);

        var expected = Generated(log, duration);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal(expected, entry.ToString());
        Assert.Equal(expected, RequestCompletedEntry.Format(entry, null));
    }

    [Fact]
    public void Fields_AreTheDocumentedNamesWithTheirValues()
    {
        var (log, duration) = Log("failed");
        var entry = new RequestCompletedEntry(log, duration);

        var fields = entry.ToList();

        Assert.Equal(22, entry.Count);
        Assert.Equal(
            ["request_id", "key_name", "client", "route", "model", "provider", "target_model", "stream", "tools_present", "attempts",
             "end_reason", "http_status", "upstream_status", "duration_ms", "ttfb_ms", "prompt_tokens", "completion_tokens", "usage_estimated",
             "upstream_error_type", "upstream_error_code", "upstream_message", "{OriginalFormat}"],
            fields.Select(f => f.Key));
        var values = fields.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("req-2", values["request_id"]);
        Assert.Equal("-", values["model"]);
        Assert.Equal(true, values["stream"]);
        Assert.Equal(3, values["attempts"]);
        Assert.Equal(502, values["http_status"]);
        Assert.Null(values["upstream_status"]);
        Assert.Equal(12.35, values["duration_ms"]);
        Assert.Null(values["ttfb_ms"]);
        Assert.Equal("rate_limit_error", values["upstream_error_type"]);
        Assert.Equal("-", values["upstream_error_code"]);
        Assert.Equal(RequestCompletedEntry.OriginalFormat, values["{OriginalFormat}"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => entry[22]);
    }

    private static (RequestLog Log, double DurationMs) Log(string name) => name switch
    {
        "complete" => (new RequestLog
        {
            RequestId = "req-1",
            Route = "chat_completions",
            Client = "claude-code",
            KeyName = "team-ä",
            Model = "gpt-tëst",
            Provider = "main",
            TargetModel = "fake-model",
            Stream = false,
            ToolsPresent = true,
            Attempts = 1,
            EndReason = "tool_calls",
            HttpStatus = 200,
            UpstreamStatus = 200,
            TtfbMs = 0.987654,
            PromptTokens = 1234567,
            CompletionTokens = 0,
            UsageEstimated = true,
        }, 1234.56789),
        "failed" => (new RequestLog
        {
            RequestId = "req-2",
            Route = "messages",
            Client = "unknown",
            Stream = true,
            Attempts = 3,
            EndReason = "upstream_error",
            HttpStatus = 502,
            UpstreamError = new UpstreamErrorDetail("rate_limit_error", null, "slow down ✓\nnow"),
        }, 12.3456),
        _ => (new RequestLog { RequestId = "req-3", Route = "unknown", Client = "unknown" }, 0),
    };

    // What the logging source generator's code made of the same values (string.Create over the interpolated message).
    private static string Generated(RequestLog log, double durationMs)
    {
        var duration = Math.Round(durationMs, 2);
        double? ttfb = log.TtfbMs is { } t ? Math.Round(t, 2) : null;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"request_completed request_id={log.RequestId} key_name={log.KeyName} client={log.Client} route={log.Route} model={log.Model ?? "-"} provider={log.Provider ?? "-"} target_model={log.TargetModel ?? "-"} stream={log.Stream} tools_present={log.ToolsPresent} attempts={log.Attempts} end_reason={log.EndReason} http_status={log.HttpStatus} upstream_status={log.UpstreamStatus} duration_ms={duration} ttfb_ms={ttfb} prompt_tokens={log.PromptTokens} completion_tokens={log.CompletionTokens} usage_estimated={log.UsageEstimated} upstream_error_type={log.UpstreamError?.Type ?? "-"} upstream_error_code={log.UpstreamError?.Code ?? "-"} upstream_message={log.UpstreamError?.Message ?? "-"}");
    }
}
