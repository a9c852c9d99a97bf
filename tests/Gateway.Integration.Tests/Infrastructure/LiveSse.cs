using System.Diagnostics;
using System.Text;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>Reads a streamed response frame by frame as it arrives, with the time each frame was complete.</summary>
public sealed class LiveSse : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly Stopwatch _clock;
    private readonly StringBuilder _buffer = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly byte[] _bytes = new byte[4096];
    private readonly char[] _chars = new char[4096];

    private LiveSse(HttpResponseMessage response, Stream body, Stopwatch clock)
    {
        _response = response;
        _body = body;
        _clock = clock;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Everything received so far, verbatim.</summary>
    public StringBuilder Raw { get; } = new();

    public static async Task<LiveSse> OpenAsync(HttpClient client, string json, Action<HttpRequestMessage>? configure = null)
    {
        var clock = Stopwatch.StartNew();
        var response = await client.PostAsync(json, configure: configure);
        return new LiveSse(response, await response.Content.ReadAsStreamAsync(), clock);
    }

    /// <summary>Time since the request was sent.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The next complete frame and when it completed; null at end of stream.</summary>
    public async Task<(SseText.Event Event, TimeSpan At)?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var text = _buffer.ToString();
            var end = text.IndexOf("\n\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _buffer.Remove(0, end + 2);
                return (SseText.Parse(text[..(end + 2)]).Single(), _clock.Elapsed);
            }

            var read = await _body.ReadAsync(_bytes, cts.Token);
            if (read == 0)
            {
                return null;
            }

            var count = _decoder.GetChars(_bytes, 0, read, _chars, 0);
            _buffer.Append(_chars, 0, count);
            Raw.Append(_chars, 0, count);
        }
    }

    /// <summary>All remaining frames.</summary>
    public async Task<List<SseText.Event>> ReadToEndAsync(TimeSpan? timeout = null)
    {
        var events = new List<SseText.Event>();
        while (await NextAsync(timeout) is { } next)
        {
            events.Add(next.Event);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response.Dispose();
    }
}
