using System.Text.Json.Serialization;

namespace Gateway.State;

/// <summary>Source-generated JSON for state values stored as text.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<OverrideTarget>))]
internal sealed partial class StateJson : JsonSerializerContext;
