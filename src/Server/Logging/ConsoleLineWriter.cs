using System.Text;

namespace Gateway.Server.Logging;

/// <summary>
/// Standard output for log lines (UTF-8), written in batches off the logging thread. A line is copied into a pending
/// buffer under a short lock; the first line after a write schedules one thread-pool item that writes what has
/// gathered by then in one <c>write</c> call, and goes on while more has come. Under load many lines share a
/// call and nothing waits for the console; when idle each line is written at once. The console logger this
/// replaces woke its own thread and made one call per line, about a sixth of the gateway's CPU per request at
/// c=32 (bench/README.md, "Profiling").
/// </summary>
internal sealed class ConsoleLineWriter : IDisposable
{
    // Lines pending while stdout does not take them (a stopped reader): above this they are counted and dropped,
    // never held without bound or made to block a request.
    internal const int MaxPendingBytes = 4 * 1024 * 1024;
    private const int InitialBytes = 16 * 1024;
    private const int KeptBytes = 256 * 1024;

    private readonly Stream _output;
    private readonly Lock _gate = new();
    private readonly Lock _writeGate = new();
    private byte[] _pending = new byte[InitialBytes];
    private byte[] _writing = new byte[InitialBytes];
    private int _pendingLength;
    private long _dropped;
    private bool _scheduled;
    private bool _disposed;

    public ConsoleLineWriter(Stream output)
    {
        _output = output;
    }

    /// <summary>Queues <paramref name="line"/>, UTF-8 that ends with its newline, for stdout.</summary>
    public void Append(ReadOnlySpan<byte> line)
    {
        bool schedule;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var needed = _pendingLength + line.Length;
            if (needed > _pending.Length)
            {
                if (needed > MaxPendingBytes)
                {
                    _dropped++;
                    return;
                }

                Array.Resize(ref _pending, Math.Min(MaxPendingBytes, Math.Max(needed, _pending.Length * 2)));
            }

            line.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += line.Length;
            schedule = !_scheduled;
            _scheduled = true;
        }

        Schedule(schedule);
    }

    private void Schedule(bool schedule)
    {
        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static writer => writer.WriteOut(), this, preferLocal: false);
        }
    }

    /// <summary>Writes everything pending now, on the calling thread (at shutdown and process exit).</summary>
    public void Flush() => WriteOut();

    public void Dispose()
    {
        // Closed to new lines first, so that the last write takes everything and nothing is scheduled after it.
        lock (_gate)
        {
            _disposed = true;
        }

        WriteOut();
    }

    private void WriteOut()
    {
        lock (_writeGate)
        {
            while (true)
            {
                int length;
                long dropped;
                lock (_gate)
                {
                    if (_pendingLength == 0 && _dropped == 0)
                    {
                        // Cleared under the same lock Append sets it in: a line appended after this schedules its own write.
                        _scheduled = false;
                        return;
                    }

                    (_pending, _writing) = (_writing, _pending);
                    length = _pendingLength;
                    _pendingLength = 0;
                    dropped = _dropped;
                    _dropped = 0;
                }

                try
                {
                    if (dropped > 0)
                    {
                        _output.Write(Encoding.UTF8.GetBytes($"warn: Gateway.Server.Logging[0] log_lines_dropped count={dropped} (stdout did not take them)\n"));
                    }

                    _output.Write(_writing, 0, length);
                    _output.Flush();
                }
                catch (IOException)
                {
                    // stdout closed or broken: the lines are lost, as a console write would lose them; logging never fails a request.
                }

                if (_writing.Length > KeptBytes)
                {
                    _writing = new byte[InitialBytes];
                }
            }
        }
    }
}
