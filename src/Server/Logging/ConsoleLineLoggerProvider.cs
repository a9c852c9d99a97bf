using System.Buffers;
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
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None)
            {
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
}
