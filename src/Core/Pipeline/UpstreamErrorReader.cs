using Gateway.Diagnostics;
using Gateway.Protocols.OpenAIChat;
using Gateway.Providers;
using Gateway.Routing;

namespace Gateway.Pipeline;

/// <summary>Reads a failed upstream response (bounded) and classifies it.</summary>
internal static class UpstreamErrorReader
{
    private const int MaxErrorBytes = 64 * 1024;

    public static async Task<UpstreamFailure> ClassifyAsync(Provider provider, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? message = null;
        byte[]? body = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxErrorBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }

            message = OpenAIErrorEnvelope.ExtractMessage(buffer.AsSpan(0, total));
            body = buffer.AsSpan(0, total).ToArray();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status alone decides.
        }

        var failure = (provider.Kind == Configuration.ProviderKind.Gemini
            ? Protocols.Gemini.GeminiErrors.FromResponse(provider, response.StatusCode, response.Headers, body)
            : FailureClassifier.FromStatus(provider, response.StatusCode, response.Headers, message)) with
        {
            Upstream = body is null ? null : UpstreamErrorDetail.Read(body),
        };

        // A Gemini error body is no client format's own: its message is re-wrapped, never passed on.
        return failure.Kind == FailureKind.ClientError && body is not null && provider.Kind != Configuration.ProviderKind.Gemini
            ? failure with
            {
                ClientBody = body,
                ClientBodyFormat = provider.Kind == Configuration.ProviderKind.Anthropic ? Chat.WireFormat.AnthropicMessages : Chat.WireFormat.OpenAIChat,
            }
            : failure;
    }
}
