using System.Buffers;
using System.Text;
using Gateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Server.Logging;

/// <summary>
/// The Server's console log: one line per entry on stdout, <c>info: Category[EventId] message</c> as the
/// standard console logger's single-line layout writes it (newlines in a message or exception become spaces,
/// so a log collector sees one record per line), written through <see cref="ConsoleLineWriter"/> in batches.
/// No colours and no scopes. Levels and filters are the logging configuration's, applied by the logger
/// factory before an entry gets here. <c>Logging:Console:FormatterName</c> set brings back the standard
/// console logger with that formatter (<c>json</c>, <c>systemd</c>), at its cost.
/// </summary>
[ProviderAlias("Console")]
internal sealed class ConsoleLineLoggerProvider : ILoggerProvider
{
    private readonly ConsoleLineWriter _writer;

    public ConsoleLineLoggerProvider(Stream output)
    {
        _writer = new ConsoleLineWriter(output);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _writer);

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _writer.Dispose();
    }

    private void OnProcessExit(object? sender, EventArgs e) => _writer.Flush();

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class Logger(string category, ConsoleLineWriter writer) : ILogger
    {
        [ThreadStatic]
        private static LineBuffer? t_line;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None)
            {
                return;
            }

            if (state is IUtf8LogMessage utf8)
            {
                LogUtf8(logLevel, eventId, utf8, exception);
                return;
            }

            var message = formatter(state, exception);
            var error = exception?.ToString();
            if (string.IsNullOrEmpty(message) && error is null)
            {
                return;
            }

            // "info: " + category + "[" + id + "] " + message + " " + exception + "\n"
            Span<char> id = stackalloc char[11];
            eventId.Id.TryFormat(id, out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
            var length = 6 + category.Length + 1 + idLength + 2 + message.Length + (error is null ? 0 : 1 + error.Length) + 1;
            var buffer = ArrayPool<char>.Shared.Rent(length);
            try
            {
                var line = buffer.AsSpan(0, length);
                var at = 0;
                Put(line, ref at, LevelName(logLevel));
                Put(line, ref at, ": ");
                Put(line, ref at, category);
                Put(line, ref at, "[");
                Put(line, ref at, id[..idLength]);
                Put(line, ref at, "] ");
                PutOneLine(line, ref at, message);
                if (error is not null)
                {
                    Put(line, ref at, " ");
                    PutOneLine(line, ref at, error);
                }

                line[at] = '\n';
                writer.Append(line);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }

        // A message that writes itself as UTF-8 (the request line) goes into this thread's buffer and from there to
        // the writer: no string of it is made.
        private void LogUtf8(LogLevel logLevel, EventId eventId, IUtf8LogMessage message, Exception? exception)
        {
            var line = t_line ??= new LineBuffer();
            line.Clear();
            Span<char> head = stackalloc char[6 + 11 + 3];
            var at = 0;
            Put(head, ref at, LevelName(logLevel));
            Put(head, ref at, ": ");
            Put(line, head[..at]);
            Put(line, category);
            at = 0;
            Put(head, ref at, "[");
            eventId.Id.TryFormat(head[at..], out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
            at += idLength;
            Put(head, ref at, "] ");
            Put(line, head[..at]);
            var start = line.Count;
            message.WriteMessage(line);
            if (exception is not null)
            {
                Put(line, " ");
                Put(line, exception.ToString());
            }

            var text = line.Written[start..];
            if (text.ContainsAny((byte)'\r', (byte)'\n'))
            {
                // Bytes below 0x80 never occur inside a multi-byte UTF-8 sequence, so this replaces only line breaks.
                text.Replace((byte)'\r', (byte)' ');
                text.Replace((byte)'\n', (byte)' ');
            }

            Put(line, "\n");
            writer.Append(line.Written);
            if (line.Capacity > LineBuffer.KeptBytes)
            {
                t_line = null;
            }
        }

        private static void Put(LineBuffer line, ReadOnlySpan<char> text) =>
            line.Advance(Encoding.UTF8.GetBytes(text, line.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length))));

        private static void Put(Span<char> line, ref int at, ReadOnlySpan<char> text)
        {
            text.CopyTo(line[at..]);
            at += text.Length;
        }

        private static void PutOneLine(Span<char> line, ref int at, string text)
        {
            var target = line.Slice(at, text.Length);
            text.AsSpan().CopyTo(target);
            if (target.ContainsAny('\r', '\n'))
            {
                target.Replace('\r', ' ');
                target.Replace('\n', ' ');
            }

            at += text.Length;
        }
    }

    // One line's bytes, reused by a thread from line to line (a buffer grown past KeptBytes by a long line is let go).
    private sealed class LineBuffer : IBufferWriter<byte>
    {
        public const int KeptBytes = 64 * 1024;
        private byte[] _bytes = new byte[1024];

        public int Count { get; private set; }

        public int Capacity => _bytes.Length;

        public Span<byte> Written => _bytes.AsSpan(0, Count);

        public void Clear() => Count = 0;

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _bytes.AsMemory(Count);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Reserve(sizeHint);
            return _bytes.AsSpan(Count);
        }

        private void Reserve(int sizeHint)
        {
            var needed = Count + Math.Max(sizeHint, 1);
            if (needed > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
            }
        }
    }
}
