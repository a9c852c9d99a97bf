using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Gateway.Bench;

/// <summary>
/// Timings of one streamed chat request, in milliseconds. <paramref name="Error"/> is the data of the first
/// Anthropic <c>error</c> event, if the stream brought one. <paramref name="DeliveryMs"/>: from the fake upstream
/// writing the first content (the timestamp its short streams carry in their text) to its read here; NaN when the
/// content carried no timestamp.
/// </summary>
internal sealed record StreamSample(double TtfbMs, double TotalMs, int ContentEvents, bool Done, double[] GapsMs, string? Error = null, double DeliveryMs = double.NaN)
{
    /// <summary>The delivery of every content event that carried a timestamp, the first included.</summary>
    public double[] DeliveriesMs { get; init; } = [];
}

/// <summary>
/// Times <c>"stream":true</c> requests, which wrk cannot: time to the first content event and every gap between
/// content events. OpenAI SSE: a content event is a <c>data:</c> event whose delta has non-empty <c>content</c>,
/// the end is <c>data: [DONE]</c>. Anthropic SSE (<c>event: NAME</c> then <c>data: JSON</c>): a content event is
/// <c>content_block_delta</c>, the end is <c>message_stop</c>. Each read is stamped when it returns, before any
/// parsing. One keep-alive connection per origin.
/// </summary>
internal sealed class StreamTimer : IDisposable
{
    private readonly HttpClient _client = BenchHttp.Create(TimeSpan.FromSeconds(60));

    /// <summary>The Anthropic event a <c>data:</c> line belongs to (from the <c>event:</c> line before it).</summary>
    private enum AnthropicEvent
    {
        /// <summary>No <c>event:</c> line since the last blank line: the data's own <c>type</c> decides.</summary>
        Unnamed,
        ContentBlockDelta,
        MessageStop,
        Error,
        Other,
    }

    /// <summary>Times one stream of <paramref name="path"/>: its full-length stream, or with <paramref name="shortStream"/> the one-chunk stream.</summary>
    public async Task<StreamSample> TimeAsync(PathSpec path, CancellationToken cancellationToken, bool shortStream = false)
    {
        using var request = path.Request(stream: true, shortStream);
        var start = Stopwatch.GetTimestamp();
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"stream request to {path.Url} answered {(int)response.StatusCode}: {error}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await ReadAsync(stream, path.Api, start, cancellationToken);
    }

    /// <summary>
    /// Reads SSE from <paramref name="stream"/> until its end event (or the end of the stream) and times it from
    /// <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/>).
    /// </summary>
    public static async Task<StreamSample> ReadAsync(Stream stream, ApiKind api, long start, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        long first = 0, previous = 0;
        var delivery = double.NaN;
        var deliveries = new List<double>(128);
        var gaps = new List<double>(128);
        var events = 0;
        var done = false;
        var anthropicEvent = AnthropicEvent.Unnamed;
        string? error = null;
        while (!done)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            var now = Stopwatch.GetTimestamp();
            if (read == 0)
            {
                break;
            }

            var scan = filled;
            filled += read;
            var lineStart = 0;
            for (var i = scan; i < filled; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                var line = buffer.AsSpan(lineStart, i - lineStart).TrimEnd((byte)'\r');
                lineStart = i + 1;
                bool content;
                if (api == ApiKind.Anthropic)
                {
                    if (line.IsEmpty)
                    {
                        anthropicEvent = AnthropicEvent.Unnamed;
                        continue;
                    }

                    if (line.StartsWith("event:"u8))
                    {
                        anthropicEvent = Named(line[6..].Trim((byte)' '));
                        continue;
                    }

                    if (!line.StartsWith("data:"u8))
                    {
                        continue;
                    }

                    var data = line[5..].TrimStart((byte)' ');
                    var kind = anthropicEvent == AnthropicEvent.Unnamed ? Named(TopLevelType(data)) : anthropicEvent;
                    if (kind == AnthropicEvent.MessageStop)
                    {
                        done = true;
                        break;
                    }

                    if (kind == AnthropicEvent.Error)
                    {
                        error ??= Encoding.UTF8.GetString(data);
                    }

                    content = kind == AnthropicEvent.ContentBlockDelta;
                }
                else
                {
                    if (!line.StartsWith("data:"u8))
                    {
                        continue;
                    }

                    var payload = line[5..].TrimStart((byte)' ');
                    if (payload.SequenceEqual("[DONE]"u8))
                    {
                        done = true;
                        break;
                    }

                    content = HasContent(payload);
                }

                if (!content)
                {
                    continue;
                }

                events++;
                var delivered = DeliveredMs(line, now);
                if (!double.IsNaN(delivered))
                {
                    deliveries.Add(delivered);
                }

                if (first == 0)
                {
                    first = now;
                    delivery = delivered;
                }
                else
                {
                    gaps.Add(Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds);
                }

                previous = now;
            }

            // Keep the unfinished line for the next read.
            buffer.AsSpan(lineStart, filled - lineStart).CopyTo(buffer);
            filled -= lineStart;
        }

        var end = Stopwatch.GetTimestamp();
        var ttfb = first == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, first).TotalMilliseconds;
        return new StreamSample(ttfb, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, events, done, [.. gaps], error, delivery) { DeliveriesMs = [.. deliveries] };
    }

    /// <summary>
    /// Milliseconds from the upstream's write of this content (the <c>@sent:TIMESTAMP</c> in its text: a
    /// <see cref="Stopwatch"/> timestamp, the machine's monotonic clock on Linux) to <paramref name="now"/>; NaN
    /// without one. The text is found as bytes, whatever event format carried it. The prefix is the fake upstream's
    /// <c>Scripts.SentStampPrefix</c> (this project does not reference that one).
    /// </summary>
    public static double DeliveredMs(ReadOnlySpan<byte> line, long now)
    {
        var at = line.IndexOf("@sent:"u8);
        if (at < 0)
        {
            return double.NaN;
        }

        var digits = line[(at + 6)..];
        var length = digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        if (length <= 0 || !long.TryParse(digits[..length], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sent) || sent > now)
        {
            return double.NaN;
        }

        return Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds;
    }

    private static AnthropicEvent Named(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("content_block_delta"u8) ? AnthropicEvent.ContentBlockDelta
        : name.SequenceEqual("message_stop"u8) ? AnthropicEvent.MessageStop
        : name.SequenceEqual("error"u8) ? AnthropicEvent.Error
        : AnthropicEvent.Other;

    /// <summary>The top-level <c>type</c> string of an Anthropic event's data (empty when there is none or it is not JSON).</summary>
    private static ReadOnlySpan<byte> TopLevelType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped ? reader.ValueSpan : default;
                }

                if (reader.CurrentDepth >= 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: no type.
        }

        return default;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>True when <c>choices[*].delta.content</c> is a non-empty string.</summary>
    private static bool HasContent(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var depth = 0;
        var inDelta = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    if (depth == inDelta)
                    {
                        inDelta = -1;
                    }

                    depth--;
                    break;
                case JsonTokenType.PropertyName when reader.ValueTextEquals("delta"u8):
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        depth++;
                        inDelta = reader.TokenType == JsonTokenType.StartObject ? depth : inDelta;
                    }

                    break;
                case JsonTokenType.PropertyName when inDelta == depth && reader.ValueTextEquals("content"u8):
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > 0)
                    {
                        return true;
                    }

                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        depth++;
                    }

                    break;
            }
        }

        return false;
    }
}
