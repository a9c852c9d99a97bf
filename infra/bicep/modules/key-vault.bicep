// Key Vault (RBAC) holding the gateway's configuration document; the app reads it through a Key
// Vault reference in GATEWAY_CONFIG_JSON. The secret's value never leaves this module.
param name string
param location string
param tags object

@secure()
param gatewayConfigJson string

@description('Principal that reads the secret (the app\'s identity).')
param readerPrincipalId string

@description('Deploying user, who may update the secret; empty: none.')
param userPrincipalId string

var keyVaultSecretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
var keyVaultSecretsOfficer = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource gatewayConfig 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'gateway-config'
  properties: {
    value: gatewayConfigJson
    contentType: 'application/json'
  }
}

resource readerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: keyVaultSecretsUser
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(vault.id, userPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: keyVaultSecretsOfficer
    principalId: userPrincipalId
  }
}

output name string = vault.name
// Without a version: the app follows the latest version of the secret.
output gatewayConfigSecretUri string = gatewayConfig.properties.secretUri
