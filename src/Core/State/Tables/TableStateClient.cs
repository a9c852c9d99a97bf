using System.Diagnostics.CodeAnalysis;
using Azure;
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

    // Every row comes back as the SDK's TableEntity (see TableEntities), which the SDK creates with
    // Activator.CreateInstance: a trimmed (Native AOT) build must keep its constructor.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
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
    /// <remarks>
    /// The tables there already are listed first and only the others created (all of them when listing is
    /// not allowed): the SDK's <c>CreateIfNotExistsAsync</c>
    /// serializes its request with the reflection-based JSON serializer, which the Native AOT build does not
    /// have (it threw at start-up there). A table another instance created meanwhile answers 409, which is fine.
    /// </remarks>
    public async Task EnsureTablesAsync(IEnumerable<string> suffixes, CancellationToken cancellationToken)
    {
        var names = suffixes.Select(suffix => _prefix + suffix).ToList();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        var filter = string.Join(" or ", names.Select(name => TableClient.CreateQueryFilter($"TableName eq {name}")));
        try
        {
            await foreach (var table in _service.QueryAsync(filter, cancellationToken: cancellationToken))
            {
                existing.Add(table.Name);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // A credential that may create tables but not list them (an account SAS without the service
            // resource type): create each one and take 409 for "already there".
        }

        foreach (var name in names.Where(name => !existing.Contains(name)))
        {
            try
            {
                await _service.CreateTableAsync(name, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
        }
    }
}
