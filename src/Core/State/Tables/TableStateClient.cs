using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Gateway.Auth;
using Gateway.Configuration;

namespace Gateway.State.Tables;

/// <summary>
/// The Table Storage account: a connection string (Azurite or a key) or an endpoint with Azure.Identity
/// (a user-assigned managed identity when its client id is given, else <c>DefaultAzureCredential</c>).
/// Calls time out after 2 s and are retried at most once: the SDK's defaults would hold a request for
/// minutes while the store is down.
/// </summary>
internal sealed class TableStateClient
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly TableServiceClient _service;
    private readonly string _prefix;

    public TableStateClient(StateOptions options, StateCallCounter counter)
    {
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.Mode = RetryMode.Fixed;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = CallTimeout;
        clientOptions.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        _service = !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new TableServiceClient(options.ConnectionString, clientOptions)
            : new TableServiceClient(new Uri(options.TableEndpoint!), AzureCredentials.For(options.ManagedIdentityClientId), clientOptions);
        _prefix = options.TablePrefix;
        Endpoint = _service.Uri;
    }

    /// <summary>The account's table endpoint (no secrets), for health and logs.</summary>
    public Uri Endpoint { get; }

    public TableClient Table(string suffix) => _service.GetTableClient(_prefix + suffix);

    /// <summary>Creates every table the gateway uses if missing.</summary>
    public async Task EnsureTablesAsync(IEnumerable<string> suffixes, CancellationToken cancellationToken)
    {
        foreach (var suffix in suffixes)
        {
            await Table(suffix).CreateIfNotExistsAsync(cancellationToken);
        }
    }
}
