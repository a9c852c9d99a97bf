// The Flex Consumption plan and the function app (.NET 10 isolated worker), running as the
// user-assigned identity, with the gateway's settings.
param name string
param planName string
param location string
param tags object

@description('Service name in azure.yaml; azd finds the app by the azd-service-name tag.')
param serviceName string

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@description('Key Vault secret URI (no version) of the gateway configuration.')
param gatewayConfigSecretUri string

param instanceMemoryMB int
param maximumInstanceCount int
param refreshSchedule string
param tablePrefix string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (GATEWAY_CONFIG_JSON) resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      // Flex takes the runtime here; it has no FUNCTIONS_WORKER_RUNTIME app setting.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // The host's storage, through the identity (the account has no keys).
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: account.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: account.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: account.properties.primaryEndpoints.table
    // POST / must reach the gateway, not the host's page.
    AzureWebJobsDisableHomepage: 'true'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The timer binds to this setting; the gateway reads it too.
    GATEWAY_REFRESH_SCHEDULE: refreshSchedule
    // The gateway's state (required under Functions), through the same identity.
    Gateway__State__TableEndpoint: account.properties.primaryEndpoints.table
    Gateway__State__ManagedIdentityClientId: identityClientId
    Gateway__State__TablePrefix: tablePrefix
    // Client keys, providers and their keys: one JSON document in Key Vault.
    GATEWAY_CONFIG_JSON: '@Microsoft.KeyVault(SecretUri=${gatewayConfigSecretUri})'
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
