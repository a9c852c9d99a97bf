using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Integration.Tests.Infrastructure;

/// <summary>A real logger provider that keeps every entry with its structured fields.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The request_completed lines' fields.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> RequestLines() =>
        [.. _entries.Where(e => e.EventName == "request_completed").Select(e => e.Fields)];

    /// <summary>Waits until a request line for <paramref name="requestId"/> (or any, when null) exists.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> WaitForRequestLineAsync(string? requestId = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var line = RequestLines().LastOrDefault(l => requestId is null || l["request_id"] == requestId);
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no request_completed log line for " + (requestId ?? "any request"));
    }

    /// <summary>Waits until some entry's message starts with <paramref name="prefix"/>.</summary>
    public async Task WaitForMessageAsync(string prefix, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!_entries.Any(e => e.Message.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no log message starting with " + prefix);
            }

            await Task.Delay(20);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, IReadOnlyDictionary<string, string?> Fields, Exception? Exception);

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    fields[key] = value is bool b ? (b ? "true" : "false") : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            owner._entries.Enqueue(new LogEntry(category, logLevel, eventId.Name, formatter(state, exception), fields, exception));
        }
    }
}
