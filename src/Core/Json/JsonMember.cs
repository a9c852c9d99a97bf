using System.Text.Json;

namespace Gateway.Json;

/// <summary>A top-level member of a JSON object: its name and where its raw value sits in the source bytes.</summary>
internal readonly record struct JsonMember(string Name, int ValueStart, int ValueLength, JsonTokenType ValueKind);
