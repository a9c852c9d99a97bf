using System.Text;

namespace Gateway.Server;

/// <summary>
/// Standard output with room for a whole log line. <see cref="Console.Out"/>'s own writer buffers 256
/// characters, so each request log line (about 450 characters with the console formatter's prefix) reached
/// stdout in two <c>write</c> calls; this writer has the same stream, the same encoding (without a
/// preamble, as the console's), is synchronized and flushes after every write as the console's does, so the
/// bytes and when they appear are unchanged, in one call per line.
/// </summary>
internal static class ConsoleOutput
{
    private const int BufferChars = 16 * 1024;

    public static void Install()
    {
        if (Console.IsOutputRedirected is false && OperatingSystem.IsWindows())
        {
            // A Windows console is written through its own API, not a byte stream; leave it alone.
            return;
        }

        var encoding = Console.OutputEncoding;
        if (encoding.Preamble.Length > 0)
        {
            if (encoding is not UTF8Encoding)
            {
                return;
            }

            encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }

        var writer = new StreamWriter(Console.OpenStandardOutput(), encoding, BufferChars, leaveOpen: true) { AutoFlush = true };
        Console.SetOut(TextWriter.Synchronized(writer));
    }
}
