namespace Gateway.Chat;

/// <summary>Structured output the client asked for.</summary>
/// <param name="SchemaJson">The JSON Schema (raw JSON); null for plain JSON mode.</param>
/// <param name="Name">The schema's name (OpenAI <c>json_schema.name</c>), if any.</param>
internal sealed record ResponseFormat(string? SchemaJson, string? Name)
{
    /// <summary>OpenAI's <c>strict</c>, if given.</summary>
    public bool? Strict { get; init; }
}
