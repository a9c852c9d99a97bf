using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateway.Json;

/// <summary>
/// Small pieces of JSON text written without the reflection-based serializer (which a trimmed, Native AOT
/// build does not have), escaped exactly as <see cref="JsonSerializer"/>'s defaults escape them: non-ASCII
/// and HTML-sensitive characters as <c>\uXXXX</c>, so the model and the upstream see the same text as before.
/// </summary>
internal static class JsonText
{
    /// <summary><paramref name="value"/> as a JSON string literal.</summary>
    public static string String(string value) => Write(value, static (writer, text) => writer.WriteStringValue(text));

    /// <summary><paramref name="element"/> written compactly.</summary>
    public static string Element(JsonElement element) => Write(element, static (writer, value) => value.WriteTo(writer));

    /// <summary>An object with one string member: <c>{"name":"value"}</c>.</summary>
    public static string Object(string name, string value) => Write((name, value), static (writer, member) =>
    {
        writer.WriteStartObject();
        writer.WriteString(member.name, member.value);
        writer.WriteEndObject();
    });

    /// <summary>An object with one member holding <paramref name="value"/>: <c>{"name":value}</c>.</summary>
    public static string Object(string name, JsonElement value) => Write((name, value), static (writer, member) =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName(member.name);
        member.value.WriteTo(writer);
        writer.WriteEndObject();
    });

    private static string Write<T>(T state, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
