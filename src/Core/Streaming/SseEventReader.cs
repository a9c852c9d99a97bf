using System.Net.ServerSentEvents;

namespace Gateway.Streaming;

/// <summary>
/// Reads server-sent events from an upstream body with <see cref="SseParser"/>, which copes with
/// CRLF/CR/LF line ends, multi-line <c>data:</c>, comments and UTF-8 characters split across reads
/// (it frames bytes, never decodes partial text). <see cref="ReadActivityStream"/> supplies the missing
/// terminator of a last event with no blank line.
/// </summary>
internal static class SseEventReader
{
    private static readonly SseItemParser<ReadOnlyMemory<byte>> CopyData = static (_, data) => data.ToArray();

    public static IAsyncEnumerable<SseEvent> ReadAsync(ReadActivityStream body, CancellationToken cancellationToken) =>
        Enumerate(SseParser.Create(body, CopyData), cancellationToken);

    private static async IAsyncEnumerable<SseEvent> Enumerate(
        SseParser<ReadOnlyMemory<byte>> parser,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            yield return new SseEvent(item.EventType, item.Data);
        }
    }
}
