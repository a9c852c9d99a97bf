namespace Gateway.Chat;

/// <summary>An image or document, inline (base64) or by URL.</summary>
/// <param name="MediaType">For example <c>image/png</c>; null when only a URL is known.</param>
/// <param name="Data">Base64 data, or null.</param>
/// <param name="Url">An http(s) URL, or null.</param>
internal sealed record MediaPart(string? MediaType, string? Data, string? Url) : ContentPart
{
    /// <summary>The client's detail hint (OpenAI <c>image_url.detail</c>), if any.</summary>
    public string? Detail { get; init; }

    /// <summary>A document (PDF, text) rather than an image.</summary>
    public bool IsDocument { get; init; }
}
