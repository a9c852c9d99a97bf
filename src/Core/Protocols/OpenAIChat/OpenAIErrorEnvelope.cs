using System.Buffers;
using System.Text.Json;
using Gateway.Chat;
using Gateway.Json;
using Gateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Gateway.Protocols.OpenAIChat;

/// <summary>OpenAI's error envelope: <c>{"error":{"message","type","code","param"}}</c>.</summary>
internal static class OpenAIErrorEnvelope
{
    public static ReadOnlyMemory<byte> Serialize(GatewayError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonObjectRewriter.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", error.Message);
        writer.WriteString("type", error.Type);
        writer.WriteString("code", error.Code);
        if (error.Param is null)
        {
            writer.WriteNull("param");
        }
        else
        {
            writer.WriteString("param", error.Param);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>Writes the error as the whole response (only before the response has started).</summary>
    public static Task WriteAsync(HttpResponse response, GatewayError error) =>
        ErrorResponse.WriteAsync(response, error, "application/json; charset=utf-8", Serialize(error));

    /// <summary>
    /// The human-readable message of an upstream error body in any of the common shapes
    /// (<c>error.message</c>, <c>error</c> as a string, <c>message</c>, <c>msg</c>, <c>detail</c>, <c>error_msg</c>).
    /// </summary>
    public static string? ExtractMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? fallback = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        return reader.GetString();
                    }

                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var isMessage = reader.ValueTextEquals("message"u8);
                            reader.Read();
                            if (isMessage && reader.TokenType == JsonTokenType.String)
                            {
                                return reader.GetString();
                            }

                            reader.Skip();
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("msg"u8) || reader.ValueTextEquals("detail"u8)
                    || reader.ValueTextEquals("error_msg"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        fallback ??= reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return fallback;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
