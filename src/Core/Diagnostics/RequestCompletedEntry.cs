using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;

namespace Gateway.Diagnostics;

/// <summary>
/// The state of the <c>request_completed</c> log entry (SPEC §5 Observability): the documented snake_case
/// fields as structured values for loggers that read them, and the message
/// <c>request_completed request_id=… key_name=… … upstream_message=…</c>, written as UTF-8 for a logger that
/// writes bytes (<see cref="IUtf8LogMessage"/>) or as a string (<see cref="ToString"/>), the same text either way.
/// </summary>
internal sealed class RequestCompletedEntry : IReadOnlyList<KeyValuePair<string, object?>>, IUtf8LogMessage
{
    public const string OriginalFormat =
        "request_completed request_id={request_id} key_name={key_name} client={client} route={route} model={model} provider={provider} " +
        "target_model={target_model} stream={stream} tools_present={tools_present} attempts={attempts} end_reason={end_reason} " +
        "http_status={http_status} upstream_status={upstream_status} duration_ms={duration_ms} ttfb_ms={ttfb_ms} " +
        "prompt_tokens={prompt_tokens} completion_tokens={completion_tokens} usage_estimated={usage_estimated} " +
        "upstream_error_type={upstream_error_type} upstream_error_code={upstream_error_code} upstream_message={upstream_message}";

    /// <summary>Gives the message as a string, for loggers that ask the formatter.</summary>
    public static readonly Func<RequestCompletedEntry, Exception?, string> Format = static (entry, _) => entry.ToString();

    private readonly RequestLog _log;
    private readonly double _durationMs;
    private readonly double? _ttfbMs;

    public RequestCompletedEntry(RequestLog log, double durationMs)
    {
        _log = log;
        _durationMs = Math.Round(durationMs, 2);
        _ttfbMs = log.TtfbMs is { } t ? Math.Round(t, 2) : null;
    }

    public int Count => 22;

    private string Model => _log.Model ?? "-";

    private string Provider => _log.Provider ?? "-";

    private string TargetModel => _log.TargetModel ?? "-";

    private string ErrorType => _log.UpstreamError?.Type ?? "-";

    private string ErrorCode => _log.UpstreamError?.Code ?? "-";

    private string ErrorMessage => _log.UpstreamError?.Message ?? "-";

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("request_id", _log.RequestId),
        1 => new("key_name", _log.KeyName),
        2 => new("client", _log.Client),
        3 => new("route", _log.Route),
        4 => new("model", Model),
        5 => new("provider", Provider),
        6 => new("target_model", TargetModel),
        7 => new("stream", _log.Stream),
        8 => new("tools_present", _log.ToolsPresent),
        9 => new("attempts", _log.Attempts),
        10 => new("end_reason", _log.EndReason),
        11 => new("http_status", _log.HttpStatus),
        12 => new("upstream_status", _log.UpstreamStatus),
        13 => new("duration_ms", _durationMs),
        14 => new("ttfb_ms", _ttfbMs),
        15 => new("prompt_tokens", _log.PromptTokens),
        16 => new("completion_tokens", _log.CompletionTokens),
        17 => new("usage_estimated", _log.UsageEstimated),
        18 => new("upstream_error_type", ErrorType),
        19 => new("upstream_error_code", ErrorCode),
        20 => new("upstream_message", ErrorMessage),
        21 => new("{OriginalFormat}", OriginalFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The message as the generated logging code wrote it: invariant culture, <c>True</c>/<c>False</c>, an
    /// absent number as nothing.
    /// </summary>
    public void WriteMessage(IBufferWriter<byte> output)
    {
        Put(output, "request_completed request_id="u8);
        Put(output, _log.RequestId);
        Put(output, " key_name="u8);
        Put(output, _log.KeyName);
        Put(output, " client="u8);
        Put(output, _log.Client);
        Put(output, " route="u8);
        Put(output, _log.Route);
        Put(output, " model="u8);
        Put(output, Model);
        Put(output, " provider="u8);
        Put(output, Provider);
        Put(output, " target_model="u8);
        Put(output, TargetModel);
        Put(output, " stream="u8);
        Put(output, _log.Stream);
        Put(output, " tools_present="u8);
        Put(output, _log.ToolsPresent);
        Put(output, " attempts="u8);
        Put(output, _log.Attempts);
        Put(output, " end_reason="u8);
        Put(output, _log.EndReason);
        Put(output, " http_status="u8);
        Put(output, _log.HttpStatus);
        Put(output, " upstream_status="u8);
        Put(output, _log.UpstreamStatus);
        Put(output, " duration_ms="u8);
        Put(output, _durationMs);
        Put(output, " ttfb_ms="u8);
        Put(output, _ttfbMs);
        Put(output, " prompt_tokens="u8);
        Put(output, _log.PromptTokens);
        Put(output, " completion_tokens="u8);
        Put(output, _log.CompletionTokens);
        Put(output, " usage_estimated="u8);
        Put(output, _log.UsageEstimated);
        Put(output, " upstream_error_type="u8);
        Put(output, ErrorType);
        Put(output, " upstream_error_code="u8);
        Put(output, ErrorCode);
        Put(output, " upstream_message="u8);
        Put(output, ErrorMessage);
    }

    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteMessage(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Put(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(output.GetSpan(utf8.Length));
        output.Advance(utf8.Length);
    }

    private static void Put(IBufferWriter<byte> output, string text) =>
        output.Advance(Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length))));

    private static void Put(IBufferWriter<byte> output, bool value) => Put(output, value ? "True"u8 : "False"u8);

    private static void Put<T>(IBufferWriter<byte> output, T? value)
        where T : struct, IUtf8SpanFormattable
    {
        if (value is { } v)
        {
            Put(output, v);
        }
    }

    // 32 bytes hold any int and the shortest round-trip form of any double ("-1.7976931348623157E+308").
    private static void Put<T>(IBufferWriter<byte> output, T value)
        where T : struct, IUtf8SpanFormattable
    {
        value.TryFormat(output.GetSpan(32), out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }
}
