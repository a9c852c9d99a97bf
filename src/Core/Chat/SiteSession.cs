namespace Gateway.Chat;

/// <summary>A chat site's own session: the ids it gave (the next turn sends them back) and how many turns the session had.</summary>
internal sealed record SiteSession(string? SessionId, string? ExchangeId, int Turns);
