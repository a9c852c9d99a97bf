using System.Net.Http.Json;
using System.Text;
using Gateway.Integration.Tests.Infrastructure;
using Gateway.Server.Logging;
using Gateway.FakeUpstream;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gateway.Integration.Tests.Server;

/// <summary>The Server's console log: one line per entry, written in batches, nothing lost or mixed.</summary>
public sealed class ConsoleLogTests
{
    [Fact]
    public void Log_MessageAndException_OneLineInTheStandardSingleLineLayout()
    {
        var output = new MemoryStream();
        using (var provider = new ConsoleLineLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Gateway.Test");
            logger.Log(LogLevel.Information, new EventId(7, "seven"), "first line\nsecond line ünïcode ✓", null, (s, _) => s);
            logger.Log(LogLevel.Error, new EventId(3), "failed", new InvalidOperationException("boom\r\nmore"), (s, _) => s);
            logger.Log(LogLevel.Warning, new EventId(0), string.Empty, null, (s, _) => s);
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');

        Assert.Equal(3, lines.Length);
        Assert.Equal("info: Gateway.Test[7] first line second line ünïcode ✓", lines[0]);
        Assert.StartsWith("fail: Gateway.Test[3] failed System.InvalidOperationException: boom  more", lines[1], StringComparison.Ordinal);
        Assert.Equal(string.Empty, lines[2]);
    }

    [Fact]
    public void Log_MessageThatWritesItselfAsUtf8_TheSameLineAsFromItsString()
    {
        var output = new MemoryStream();
        var log = new Gateway.Diagnostics.RequestLog { RequestId = "r1", Route = "chat_completions", Client = "unknown", HttpStatus = 502 };
        var entries = new[]
        {
            new Gateway.Diagnostics.RequestCompletedEntry(log, 1.5),
            new Gateway.Diagnostics.RequestCompletedEntry(Failed(log, "two\r\nlines ünïcode ✓"), 2),

            // Longer than the line buffer a thread keeps: it grows for this line and is let go after it.
            new Gateway.Diagnostics.RequestCompletedEntry(Failed(log, new string('é', 70_000)), 3),
            new Gateway.Diagnostics.RequestCompletedEntry(log, 4),
        };
        using (var provider = new ConsoleLineLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Gateway.Request");
            foreach (var entry in entries)
            {
                logger.Log(LogLevel.Warning, new EventId(1, "request_completed"), entry, null, Gateway.Diagnostics.RequestCompletedEntry.Format);
            }

            logger.Log(LogLevel.Error, new EventId(12), entries[0], new InvalidOperationException("boom\nmore"), Gateway.Diagnostics.RequestCompletedEntry.Format);
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');

        Assert.Equal(6, lines.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.Equal("warn: Gateway.Request[1] " + entries[i].ToString().Replace('\r', ' ').Replace('\n', ' '), lines[i]);
        }

        Assert.StartsWith("fail: Gateway.Request[12] " + entries[0] + " System.InvalidOperationException: boom more", lines[4], StringComparison.Ordinal);
        Assert.Equal(string.Empty, lines[5]);
    }

    private static Gateway.Diagnostics.RequestLog Failed(Gateway.Diagnostics.RequestLog log, string message) => new()
    {
        RequestId = log.RequestId,
        Route = log.Route,
        Client = log.Client,
        HttpStatus = log.HttpStatus,
        UpstreamError = new Gateway.Diagnostics.UpstreamErrorDetail("server_error", "c1", message),
    };

    [Fact]
    public async Task Log_ManyThreads_EveryLineWholeAndInOrderPerThread()
    {
        var output = new MemoryStream();
        const int threads = 8;
        const int perThread = 2000;
        using (var provider = new ConsoleLineLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Gateway.Test");
            await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < perThread; i++)
                {
                    logger.Log(LogLevel.Information, new EventId(1), $"thread={t} line={i} {new string('x', i % 300)}", null, (s, _) => s);
                }
            })));
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(threads * perThread, lines.Length);
        var next = new int[threads];
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            Assert.Equal("info:", parts[0]);
            var thread = int.Parse(parts[2]["thread=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var index = int.Parse(parts[3]["line=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[thread]++, index);
            Assert.Equal(new string('x', index % 300), parts.Length > 4 ? parts[4] : string.Empty);
        }
    }

    [Fact]
    public async Task Writer_StdoutStops_LinesBeyondTheBoundAreDroppedAndCountedNotHeld()
    {
        var output = new GatedStream();
        using var writer = new ConsoleLineWriter(output);
        var line = Encoding.UTF8.GetBytes(new string('y', 1023) + "\n");

        writer.Append("first\n"u8);
        await output.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // stdout takes nothing now: the pending buffer fills to its bound, then lines are dropped without blocking.
        var lines = (ConsoleLineWriter.MaxPendingBytes / line.Length) + 100;
        var appending = Task.Run(() =>
        {
            for (var i = 0; i < lines; i++)
            {
                writer.Append(line);
            }
        });
        await appending.WaitAsync(TimeSpan.FromSeconds(10));

        output.Open.SetResult();
        writer.Flush();
        var text = Encoding.UTF8.GetString(output.Written.ToArray());
        var written = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("first", written[0]);
        var dropped = lines - written.Count(l => l.Length == 1023);
        Assert.InRange(dropped, 1, 200);
        Assert.Contains($"log_lines_dropped count={dropped} ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerBinary_RequestLine_IsOneStdoutLine()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(Settings(upstream));
        using var client = new HttpClient { BaseAddress = server.Root };

        using var response = await client.PostAsJsonAsync("v1/chat/completions", new { model = "fake-model", messages = new[] { new { role = "user", content = "hi" } } });
        var requestId = response.Headers.GetValues("x-request-id").Single();

        var line = await WaitForLineAsync(server, requestId);
        Assert.StartsWith("info: Gateway.", line, StringComparison.Ordinal);
        Assert.Contains("[1] request_completed request_id=" + requestId + " ", line, StringComparison.Ordinal);
        Assert.Contains(" http_status=200 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerBinary_FormatterNamed_TheStandardConsoleLoggerWritesIt()
    {
        await using var upstream = await FakeUpstreamServer.StartAsync();
        var settings = Settings(upstream);
        settings["Logging__Console__FormatterName"] = "json";
        await using var server = await ServerProcess.StartAsync(settings);
        using var client = new HttpClient { BaseAddress = server.Root };

        using var response = await client.PostAsJsonAsync("v1/chat/completions", new { model = "fake-model", messages = new[] { new { role = "user", content = "hi" } } });
        var requestId = response.Headers.GetValues("x-request-id").Single();

        var line = await WaitForLineAsync(server, requestId);
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.StartsWith("request_completed request_id=" + requestId, json.RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Equal(requestId, json.RootElement.GetProperty("State").GetProperty("request_id").GetString());
    }

    private static Dictionary<string, string?> Settings(FakeUpstreamServer upstream) => new()
    {
        ["Gateway__Auth__Mode"] = "None",
        ["Gateway__Providers__main__Kind"] = "OpenAI",
        ["Gateway__Providers__main__BaseUrl"] = upstream.BaseUrl,
        ["Gateway__Providers__main__Models__0"] = "fake-model",
    };

    private static async Task<string> WaitForLineAsync(ServerProcess server, string requestId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var line = server.Output.Split('\n').FirstOrDefault(l => l.Contains("request_id=" + requestId, StringComparison.Ordinal) || l.Contains("\"request_id\":\"" + requestId + "\"", StringComparison.Ordinal));
            if (line is not null)
            {
                return line.TrimEnd('\r');
            }

            Assert.True(DateTime.UtcNow < deadline, "no request line for " + requestId + " in:\n" + server.Output);
            await Task.Delay(50);
        }
    }

    // A stdout that blocks its first write until opened, then keeps what it is given.
    private sealed class GatedStream : Stream
    {
        public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MemoryStream Written { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            WriteStarted.TrySetResult();
            Open.Task.Wait();
            lock (Written)
            {
                Written.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
