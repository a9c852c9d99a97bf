using System.Diagnostics;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// <c>Gateway.Bench --self-check</c>: the stream timer's SSE parsing on canned OpenAI and Anthropic streams, each
/// read whole, one byte per read and in irregular pieces, so that every line and event boundary falls between
/// reads somewhere. Needs no server; prints one line per case and returns 0 when all pass.
/// </summary>
internal static class SelfCheck
{
    private const int Chunks = 64;

    private sealed record Case(string Name, ApiKind Api, string Sse, int Events, bool Done, bool Error = false);

    public static async Task<int> RunAsync()
    {
        Case[] cases =
        [
            new("openai", ApiKind.OpenAI, OpenAi(), Chunks, Done: true),
            new("anthropic", ApiKind.Anthropic, Anthropic(), Chunks, Done: true),
            new("anthropic, CRLF line ends", ApiKind.Anthropic, Anthropic().ReplaceLineEndings("\r\n"), Chunks, Done: true),
            new("anthropic, no event: lines (data type decides)", ApiKind.Anthropic, Anthropic(eventLines: false), Chunks, Done: true),
            new("anthropic, cut before message_stop", ApiKind.Anthropic, Anthropic(stop: false), Chunks, Done: false),
            new("anthropic, error event after 10 deltas", ApiKind.Anthropic, Anthropic(chunks: 10, stop: false, error: true), 10, Done: false, Error: true),
            new("openai stream read as anthropic", ApiKind.Anthropic, OpenAi(), 0, Done: false),
        ];
        var failed = 0;
        foreach (var c in cases)
        {
            var bytes = Encoding.UTF8.GetBytes(c.Sse);
            foreach (var (split, sizes) in new (string, int[])[] { ("whole", [bytes.Length]), ("1 byte per read", [1]), ("irregular reads", [7, 1, 30, 2, 113, 5, 64]) })
            {
                using var stream = new PieceStream(bytes, sizes);
                var sample = await StreamTimer.ReadAsync(stream, c.Api, Stopwatch.GetTimestamp(), CancellationToken.None);
                var ok = sample.ContentEvents == c.Events && sample.Done == c.Done && (sample.Error is not null) == c.Error
                    && sample.GapsMs.Length == Math.Max(0, c.Events - 1) && double.IsNaN(sample.TtfbMs) == (c.Events == 0);
                failed += ok ? 0 : 1;
                Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {c.Name}, {split}: {sample.ContentEvents} content events (expected {c.Events}), " +
                    $"end {sample.Done} (expected {c.Done}), error {sample.Error is not null} (expected {c.Error})");
            }
        }

        failed += await DeliveryChecksAsync();
        Console.WriteLine(failed == 0 ? "self-check passed" : $"self-check: {failed} FAILED");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// The first-content delivery: the <c>@sent:TIMESTAMP</c> a short stream's content carries, read back from an OpenAI
    /// chunk and an Anthropic delta (whole, and one byte per read), and refused when absent, malformed or in the future.
    /// </summary>
    private static async Task<int> DeliveryChecksAsync()
    {
        var failed = 0;
        void Check(string name, bool ok)
        {
            failed += ok ? 0 : 1;
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")} delivery: {name}");
        }

        var now = Stopwatch.GetTimestamp();
        var fiveMsAgo = now - (Stopwatch.Frequency / 200);
        var five = StreamTimer.DeliveredMs(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"delta\":{{\"content\":\"@sent:{fiveMsAgo} \"}}}}]}}"), now);
        Check($"a stamp 5 ms old reads {five:F3} ms", five is >= 4.999 and <= 5.001);
        Check("no stamp is NaN", double.IsNaN(StreamTimer.DeliveredMs("data: {\"choices\":[{\"delta\":{\"content\":\"tok0 \"}}]}"u8, now)));
        Check("a stamp without digits is NaN", double.IsNaN(StreamTimer.DeliveredMs("\"text\":\"@sent: 12\""u8, now)));
        Check("a stamp after now is NaN", double.IsNaN(StreamTimer.DeliveredMs(Encoding.UTF8.GetBytes($"@sent:{now + 1000} "), now)));

        var openAi = $"data: {{\"choices\":[{{\"delta\":{{\"content\":\"@sent:{Stopwatch.GetTimestamp()} \"}}}}]}}\n\ndata: [DONE]\n\n";
        var anthropic = $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"@sent:{Stopwatch.GetTimestamp()} \"}}}}\n\nevent: message_stop\ndata: {{\"type\":\"message_stop\"}}\n\n";
        foreach (var (name, api, sse) in new[] { ("openai", ApiKind.OpenAI, openAi), ("anthropic", ApiKind.Anthropic, anthropic) })
        {
            foreach (var sizes in new[] { new[] { sse.Length }, [1] })
            {
                using var stream = new PieceStream(Encoding.UTF8.GetBytes(sse), sizes);
                var sample = await StreamTimer.ReadAsync(stream, api, Stopwatch.GetTimestamp(), CancellationToken.None);
                Check($"{name}, {(sizes[0] == 1 ? "1 byte per read" : "whole")}: {sample.DeliveryMs:F3} ms", sample.DeliveryMs is >= 0 and < 1000 && sample.Done);
            }
        }

        var three = string.Concat(Enumerable.Range(0, 3).Select(_ => $"data: {{\"choices\":[{{\"delta\":{{\"content\":\"@sent:{Stopwatch.GetTimestamp()} \"}}}}]}}\n\n")) + "data: [DONE]\n\n";
        using (var stream = new PieceStream(Encoding.UTF8.GetBytes(three), [7]))
        {
            var sample = await StreamTimer.ReadAsync(stream, ApiKind.OpenAI, Stopwatch.GetTimestamp(), CancellationToken.None);
            Check($"three stamped chunks, 7 bytes per read: {sample.DeliveriesMs.Length} deliveries", sample.DeliveriesMs.Length == 3 && sample.DeliveriesMs.All(d => d is >= 0 and < 1000));
        }

        return failed;
    }

    /// <summary>As the fake upstream streams: role chunk, content chunks, finish chunk, usage chunk, [DONE].</summary>
    private static string OpenAi()
    {
        var sb = new StringBuilder();
        sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
        for (var i = 0; i < Chunks; i++)
        {
            sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w").Append(i).Append(" \"}}]}\n\n");
        }

        sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":64}}\n\n");
        sb.Append("data: [DONE]\n\n");
        return sb.ToString();
    }

    /// <summary>An Anthropic Messages stream: message_start, content_block_start, ping, deltas, stops.</summary>
    private static string Anthropic(int chunks = Chunks, bool eventLines = true, bool stop = true, bool error = false)
    {
        var sb = new StringBuilder();
        void Event(string name, string data)
        {
            if (eventLines)
            {
                sb.Append("event: ").Append(name).Append('\n');
            }

            sb.Append("data: ").Append(data).Append("\n\n");
        }

        Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"demo-model\",\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");
        Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        Event("ping", "{\"type\": \"ping\"}");
        for (var i = 0; i < chunks; i++)
        {
            Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"w" + i + " \"}}");
        }

        if (error)
        {
            Event("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
            return sb.ToString();
        }

        Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":64}}");
        if (stop)
        {
            Event("message_stop", "{\"type\":\"message_stop\"}");
        }

        return sb.ToString();
    }

    /// <summary>A read-only stream that hands out its bytes in pieces of the given sizes, in turn.</summary>
    private sealed class PieceStream(byte[] bytes, int[] sizes) : Stream
    {
        private int _position;
        private int _piece;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, sizes[_piece++ % sizes.Length]), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
