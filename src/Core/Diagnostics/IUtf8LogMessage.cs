using System.Buffers;

namespace Gateway.Diagnostics;

/// <summary>
/// A log entry's state that can write its message as UTF-8 itself. A logger that writes bytes (the Server's
/// console log) asks for this instead of the formatted string: the request line is the largest allocation
/// of a request otherwise. The formatter passed with the entry gives the same text as a string.
/// </summary>
public interface IUtf8LogMessage
{
    /// <summary>Writes the message (no newline) to <paramref name="output"/>.</summary>
    void WriteMessage(IBufferWriter<byte> output);
}
