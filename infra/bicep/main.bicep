// The gateway on Azure Functions Flex Consumption, for `azd up` (azure.yaml points here).
// Self-contained: no registry modules, so `bicep build` and `bicep lint` run offline in the test suite.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; resource names are derived from it.')
param environmentName string

// Regions that offered Flex Consumption when this was written; `az functionapp list-flexconsumption-locations` lists today's.
@minLength(1)
@description('Region of every resource (Flex Consumption regions only).')
@allowed([
  'australiaeast'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'northcentralus'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westcentralus'
  'westeurope'
  'westus2'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user (azd sets it); gets data access to the storage account and the configuration secret. Empty: none.')
param principalId string = ''

@secure()
@description('The gateway\'s configuration as one JSON document ({"Gateway":{"Auth":…,"Providers":…,"Models":…}}); stored in Key Vault, read through GATEWAY_CONFIG_JSON.')
param gatewayConfigJson string

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('6-field cron (with seconds, UTC) of the model-list refresh timer.')
param refreshSchedule string = '0 */10 * * * *'

@description('Prefix of the gateway\'s tables (^[A-Za-z][A-Za-z0-9]{0,50}$).')
@minLength(1)
@maxLength(51)
param tablePrefix string = 'gateway'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// The gateway's tables (StateStores.TableSuffixes in src/Core); the app also creates them at start.
var tableSuffixes = [
  'Sessions'
  'Affinity'
  'Tokens'
  'Overrides'
  'Models'
  'Thinking'
  'Responses'
]

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    name: 'id-gateway-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package-${resourceToken}'
    tableNames: [for suffix in tableSuffixes: '${tablePrefix}${suffix}']
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'keyVault'
  scope: resourceGroup
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    gatewayConfigJson: gatewayConfigJson
    readerPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'roleAssignments'
  scope: resourceGroup
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'functionApp'
  scope: resourceGroup
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'gateway'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    gatewayConfigSecretUri: keyVault.outputs.gatewayConfigSecretUri
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    refreshSchedule: refreshSchedule
    tablePrefix: tablePrefix
  }
  // The host needs its storage roles before it starts (the Key Vault role comes with keyVault's outputs).
  dependsOn: [
    roles
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_GATEWAY_NAME string = functionApp.outputs.name
output SERVICE_GATEWAY_URI string = functionApp.outputs.uri
