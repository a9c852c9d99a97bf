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

            // "info: " + category + "[" + id + "] " + message + " " + exception + "\n", built as UTF-8 in this
            // thread's buffer. A message that writes itself as UTF-8 (the request line) goes in without a string.
            var line = t_line ??= new LineBuffer();
            line.Clear();
            Put(line, LevelName(logLevel));
            Put(line, ": ");
            Put(line, category);
            Put(line, "[");
            eventId.Id.TryFormat(line.GetSpan(11), out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
            line.Advance(idLength);
            Put(line, "] ");
            var start = line.Count;
            if (state is IUtf8LogMessage utf8)
            {
                utf8.WriteMessage(line);
            }
            else
            {
                Put(line, formatter(state, exception));
            }

            var error = exception?.ToString();
            if (line.Count == start && error is null)
            {
                return;
            }

            if (error is not null)
            {
                Put(line, " ");
                Put(line, error);
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
