using System.Text.Json;

namespace Gateway.State;

/// <summary>What a kept response stores of its answer: its id and its output items as the client got them.</summary>
internal interface IKeptOutput
{
    string ResponseId { get; }

    /// <summary>Writes the output items (as array elements) to <paramref name="writer"/>.</summary>
    void WriteOutputItems(Utf8JsonWriter writer);
}
