namespace Gateway.Chat;

/// <summary>
/// A chat site's own session: the ids it gave (the next turn sends them back), how many turns the session
/// had, and what the site was told in it: the nonce of the tool protocol (kept for the session's life, so the
/// model's memory of the instructions stays valid), which conversation it is (<see cref="Context"/>, a digest
/// of the system text and the first user message: another conversation under the same session key starts
/// a site session of its own) and which tools it was given (<see cref="Tools"/>, a digest of their names).
/// </summary>
internal sealed record SiteSession(string? SessionId, string? ExchangeId, int Turns, string? Nonce = null, string? Context = null, string? Tools = null);
