using System.Diagnostics;
using System.Text.Json;

namespace Gateway.Bench;

/// <summary>Timings of one streamed chat request, in milliseconds.</summary>
internal sealed record StreamSample(double TtfbMs, double TotalMs, int ContentEvents, bool Done, double[] GapsMs);

/// <summary>
/// Times <c>"stream":true</c> requests, which wrk cannot: time to the first content event (the first
/// <c>data:</c> event whose delta has non-empty <c>content</c>) and every gap between content events.
/// Each read is stamped when it returns, before any parsing. One keep-alive connection per origin.
/// </summary>
internal sealed class StreamTimer : IDisposable
{
    private readonly HttpClient _client = BenchHttp.Create(TimeSpan.FromSeconds(60));

    public async Task<StreamSample> TimeAsync(PathSpec path, CancellationToken cancellationToken)
    {
        using var request = path.Request(stream: true);
        var start = Stopwatch.GetTimestamp();
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"stream request to {path.Url} answered {(int)response.StatusCode}: {error}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[64 * 1024];
        var filled = 0;
        long first = 0, previous = 0;
        var gaps = new List<double>(128);
        var events = 0;
        var done = false;
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

                if (!HasContent(payload))
                {
                    continue;
                }

                events++;
                if (first == 0)
                {
                    first = now;
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
        return new StreamSample(ttfb, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, events, done, [.. gaps]);
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
