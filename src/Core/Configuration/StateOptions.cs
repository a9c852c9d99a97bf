namespace Gateway.Configuration;

/// <summary>
/// Shared state (SPEC §3 <c>State</c>). With a <see cref="ConnectionString"/> or <see cref="TableEndpoint"/>
/// the stores live in Azure Table Storage; without either (or with no <c>State</c> section) they live
/// in this process's memory, which only the Server host allows.
/// </summary>
public sealed record StateOptions
{
    /// <summary>Default model-list refresh schedule: every 10 minutes (6-field cron, with seconds).</summary>
    public const string DefaultRefreshSchedule = "0 */10 * * * *";

    /// <summary>
    /// App setting both hosts read for the refresh schedule; the Functions timer binds to it by name.
    /// When set it wins over <see cref="RefreshSchedule"/>.
    /// </summary>
    public const string RefreshScheduleSetting = "GATEWAY_REFRESH_SCHEDULE";

    /// <summary>A Table Storage connection string (Azurite: <c>UseDevelopmentStorage=true</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Table endpoint used with Azure.Identity (managed identity), e.g. <c>https://acct.table.core.windows.net</c>.</summary>
    public string? TableEndpoint { get; set; }

    /// <summary>Client id of a user-assigned managed identity; otherwise <c>DefaultAzureCredential</c>.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Prefix of every table name; <c>^[A-Za-z][A-Za-z0-9]{0,50}$</c>. Default <c>gateway</c>.</summary>
    public string TablePrefix { get; set; } = "gateway";

    /// <summary>Sessions expire this long after their last use. Default 1440 (a day).</summary>
    public double SessionTtlMinutes { get; set; } = 1440;

    /// <summary>Reuse a session without an explicit session header (off: behind new-api every user shares one key).</summary>
    public bool ImplicitSessions { get; set; }

    /// <summary>Re-read overrides and the model cache written by other instances this often. Default 30.</summary>
    public double ReloadSeconds { get; set; } = 30;

    /// <summary>6-field cron of the model-list refresh job. Default every 10 minutes.</summary>
    public string RefreshSchedule { get; set; } = DefaultRefreshSchedule;

    /// <summary>
    /// Keep OpenAI Responses (those not sent with <c>store:false</c>) so that a later request can continue
    /// from one with <c>previous_response_id</c>; kept per client key for <see cref="SessionTtlMinutes"/>.
    /// Off by default: OpenAI's <c>store</c> defaults to true, so honouring it would keep every SDK caller's
    /// prompts. Codex needs none of it (it sends <c>store:false</c> and its whole input every turn).
    /// </summary>
    public bool KeepResponses { get; set; }

    /// <summary>True when a Table Storage account is configured.</summary>
    public bool UsesTableStorage => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(TableEndpoint);
}
