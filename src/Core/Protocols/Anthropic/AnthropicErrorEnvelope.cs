using System.Buffers;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Gateway.Protocols.Anthropic;

/// <summary>Anthropic's error envelope: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
internal static class AnthropicErrorEnvelope
{
    /// <summary>The <c>error</c> event name of an Anthropic stream.</summary>
    public static readonly byte[] EventName = "error"u8.ToArray();

    /// <summary>Anthropic's error type for a status (the gateway's own statuses stay SPEC §4's).</summary>
    public static string TypeFor(int status) => status switch
    {
        400 or 405 or 415 or 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        _ => "api_error",
    };

    public static ReadOnlyMemory<byte> Serialize(GatewayError error)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", TypeFor(error.Status));
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>Writes the error as the whole response: the upstream's own body when the error carries one (same-format client mistakes).</summary>
    public static Task WriteAsync(HttpResponse response, GatewayError error) =>
        ErrorResponse.WriteAsync(
            response,
            error,
            "application/json",
            error.UpstreamBody is { } upstream && error.UpstreamBodyFormat == WireFormat.AnthropicMessages ? upstream : Serialize(error));
}
