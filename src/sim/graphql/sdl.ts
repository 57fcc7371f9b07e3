/**
 * The subset of Xurrent's GraphQL schema that the simulator serves, written from the
 * generated C# clients of the schema dated 2026-05-29 and Xurrent's documentation.
 * Enums whose values are not GraphQL names (WebhookEvent: `app_instance.create`) or that
 * clients send as strings (`jwtAlg: "es256"`) are scalars that accept both forms.
 */
export const SCHEMA_SDL = /* GraphQL */ `
scalar ISO8601Timestamp
scalar JSON
scalar WebhookEvent
scalar WebhookPolicyJwtAlg
scalar ScopeEffect
scalar OauthApplicationGrantType
scalar UiExtensionCategory
scalar AppOfferingView
scalar AppInstanceView

enum UiExtensionVersionStatus { active archived being_prepared }
enum AsyncQueryStatus { queued in_progress completed }

interface Node { id: ID! }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Account {
  id: String
  name: String
  url: String
  disabled: Boolean
  directory: Boolean
  createdAt: ISO8601Timestamp
}

type Person implements Node {
  id: ID!
  name: String
  account: Account
  disabled: Boolean
}

type ValidationError { message: String  path: [String!] }

type Attachment { id: ID!  key: String  filename: String  size: Int  inline: Boolean  expiringUrl: String }
type AttachmentConnection { nodes: [Attachment]  pageInfo: PageInfo!  totalCount: Int }

type ServiceInstance implements Node {
  id: ID!
  account: Account
  name: String
  source: String
  sourceID: String
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type ServiceInstanceConnection { nodes: [ServiceInstance]  pageInfo: PageInfo!  totalCount: Int }

type AppOfferingScope {
  id: ID!
  actions: [String!]
  conditions: [String!]
  effect: ScopeEffect
  grantType: OauthApplicationGrantType
}

type AutomationRuleExpression { name: String  value: String }
type AutomationRuleAction { name: String  value: String }

type AppOfferingAutomationRule implements Node {
  id: ID!
  account: Account
  appOffering: AppOffering
  name: String
  description: String
  generic: String
  trigger: String
  expressions: [AutomationRuleExpression!]
  condition: String
  actions: [AutomationRuleAction!]
  position: Int
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type AppOfferingAutomationRuleConnection { nodes: [AppOfferingAutomationRule]  pageInfo: PageInfo!  totalCount: Int }

type AutomationRule implements Node {
  id: ID!
  account: Account
  name: String
  description: String
  generic: String
  trigger: String
  expressions: [AutomationRuleExpression!]
  condition: String
  actions: [AutomationRuleAction!]
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type AutomationRuleConnection { nodes: [AutomationRule]  pageInfo: PageInfo!  totalCount: Int }

type AppOffering implements Node {
  id: ID!
  account: Account
  name: String
  reference: String
  cardDescription: String
  description: String
  features: String
  compliance: String
  descriptionAttachments(first: Int, after: String, last: Int, before: String): AttachmentConnection
  featuresAttachments(first: Int, after: String, last: Int, before: String): AttachmentConnection
  complianceAttachments(first: Int, after: String, last: Int, before: String): AttachmentConnection
  pictureUri: String
  disabled: Boolean
  published: Boolean
  latest: Boolean
  serviceInstance: ServiceInstance
  webhookUriTemplate: String
  configurationUriTemplate: String
  oauthAuthorizationEndpoints: [String!]
  policyJwtAlg: WebhookPolicyJwtAlg
  policyJwtAudience: String
  policyJwtClaimExpiresIn: Int
  openidConnectDiscovery: Boolean
  requiresEnabledOauthPerson: Boolean
  scopes: [AppOfferingScope!]
  uiExtension: UiExtension
  uiExtensionVersion: UiExtensionVersion
  automationRules(first: Int, after: String, last: Int, before: String): AppOfferingAutomationRuleConnection
  appInstances(first: Int, after: String, last: Int, before: String): AppInstanceConnection
  source: String
  sourceID: String
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type AppOfferingConnection { nodes: [AppOffering]  pageInfo: PageInfo!  totalCount: Int }

type CustomField { id: String  value: JSON }

type AppInstance implements Node {
  id: ID!
  account: Account
  appOffering: AppOffering
  customerAccount: Account
  customerRepresentative: Person
  customFields: [CustomField!]
  disabled: Boolean
  enabledByCustomer: Boolean
  suspended: Boolean
  suspensionComment: String
  automationRules(first: Int, after: String, last: Int, before: String): AutomationRuleConnection
  webhook: Webhook
  webhookPolicy: WebhookPolicy
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type AppInstanceConnection { nodes: [AppInstance]  pageInfo: PageInfo!  totalCount: Int }

type Webhook implements Node {
  id: ID!
  account: Account
  name: String
  description: String
  disabled: Boolean
  event: WebhookEvent
  uri: String
  mailExceptionsTo: String
  webhookPolicy: WebhookPolicy
  appOfferingReferences: [String!]
  openidConnectDiscovery: Boolean
  source: String
  sourceID: String
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type WebhookConnection { nodes: [Webhook]  pageInfo: PageInfo!  totalCount: Int }

type WebhookPolicy implements Node {
  id: ID!
  account: Account
  name: String
  disabled: Boolean
  jwtAlg: WebhookPolicyJwtAlg
  jwtAudience: String
  jwtClaimExpiresIn: Int
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type WebhookPolicyConnection { nodes: [WebhookPolicy]  pageInfo: PageInfo!  totalCount: Int }

type WebhookPolicyCreateResponse implements Node {
  id: ID!
  account: Account
  name: String
  disabled: Boolean
  jwtAlg: WebhookPolicyJwtAlg
  jwtAudience: String
  jwtClaimExpiresIn: Int
  publicKeyPem: String
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}

type UiExtensionVersion implements Node {
  id: ID!
  uiExtension: UiExtension
  versionNr: Int
  status: UiExtensionVersionStatus
  html: String
  css: String
  javascript: String
  formDefinition: JSON
  activatedAt: ISO8601Timestamp
  archivedAt: ISO8601Timestamp
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type UiExtensionVersionConnection { nodes: [UiExtensionVersion]  pageInfo: PageInfo!  totalCount: Int }

type UiExtension implements Node {
  id: ID!
  account: Account
  name: String
  title: String
  description: String
  category: UiExtensionCategory
  disabled: Boolean
  showOnComplete: Boolean
  darkModeSafe: Boolean
  activeVersion: UiExtensionVersion
  versions(first: Int, after: String, last: Int, before: String): UiExtensionVersionConnection
  source: String
  sourceID: String
  createdAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}
type UiExtensionConnection { nodes: [UiExtension]  pageInfo: PageInfo!  totalCount: Int }

type AttachmentStorage {
  sizeLimit: Int
  allowedExtensions: [String!]
  uploadUri: String
  provider: String
  providerParameters: JSON
}

type AsyncQuery implements Node {
  id: ID!
  account: Account
  person: Person
  status: AsyncQueryStatus
  resultUrl: String
  resultCount: Int
  errorCount: Int
  createdAt: ISO8601Timestamp
  startedAt: ISO8601Timestamp
  completedAt: ISO8601Timestamp
  updatedAt: ISO8601Timestamp
}

type ConfigurationItem implements Node {
  id: ID!
  name: String
  label: String
  sourceID: String
}

type RateLimit { cost: Int!  limit: Int!  remaining: Int!  resetAt: Int! }

input StringFilter { values: [String], negate: Boolean }
input IdFilter { values: [ID], negate: Boolean }
input TimestampFilter { greaterThan: ISO8601Timestamp, lessThan: ISO8601Timestamp }

input AppOfferingFilter {
  account: StringFilter
  createdAt: TimestampFilter
  disabled: Boolean
  id: IdFilter
  latest: Boolean
  name: StringFilter
  published: Boolean
  reference: StringFilter
  service: IdFilter
  serviceInstance: IdFilter
  source: StringFilter
  sourceID: StringFilter
  updatedAt: TimestampFilter
}

input AppInstanceFilter {
  account: StringFilter
  appOffering: IdFilter
  appOfferingReference: StringFilter
  createdAt: TimestampFilter
  customerAccount: StringFilter
  customerRepresentative: IdFilter
  disabled: Boolean
  enabledByCustomer: Boolean
  id: IdFilter
  serviceInstance: IdFilter
  suspended: Boolean
  updatedAt: TimestampFilter
}

input ServiceInstanceFilter {
  createdAt: TimestampFilter
  id: IdFilter
  name: StringFilter
  source: StringFilter
  sourceID: StringFilter
  updatedAt: TimestampFilter
}

input WebhookFilter {
  createdAt: TimestampFilter
  disabled: Boolean
  id: IdFilter
  source: StringFilter
  sourceID: StringFilter
  updatedAt: TimestampFilter
}

input WebhookPolicyFilter { createdAt: TimestampFilter  id: IdFilter  updatedAt: TimestampFilter }

input UiExtensionFilter {
  category: StringFilter
  createdAt: TimestampFilter
  id: IdFilter
  name: StringFilter
  source: StringFilter
  sourceID: StringFilter
  updatedAt: TimestampFilter
}

input AttachmentInput { key: String!  inline: Boolean  size: Int }
input CustomFieldInput { id: String!  value: JSON }
input AutomationRuleExpressionInput { name: String!  value: String! }
input AutomationRuleActionInput { name: String!  value: String! }

input AppOfferingScopeInput {
  id: ID
  effect: ScopeEffect
  grantType: OauthApplicationGrantType
  actions: [String!]
  conditions: [String!]
}

input AppOfferingCreateInput {
  clientMutationId: String
  name: String!
  serviceInstanceId: ID!
  reference: String
  cardDescription: String
  description: String
  features: String
  compliance: String
  descriptionAttachments: [AttachmentInput!]
  featuresAttachments: [AttachmentInput!]
  complianceAttachments: [AttachmentInput!]
  disabled: Boolean
  pictureUri: String
  configurationUriTemplate: String
  webhookUriTemplate: String
  oauthAuthorizationEndpoints: [String!]
  policyJwtAlg: WebhookPolicyJwtAlg
  policyJwtAudience: String
  policyJwtClaimExpiresIn: Int
  openidConnectDiscovery: Boolean
  requiresEnabledOauthPerson: Boolean
  newScopes: [AppOfferingScopeInput!]
  uiExtensionId: ID
  uiExtensionVersionId: ID
  source: String
  sourceID: String
}

input AppOfferingUpdateInput {
  clientMutationId: String
  id: ID!
  name: String
  serviceInstanceId: ID
  reference: String
  cardDescription: String
  description: String
  features: String
  compliance: String
  descriptionAttachments: [AttachmentInput!]
  featuresAttachments: [AttachmentInput!]
  complianceAttachments: [AttachmentInput!]
  disabled: Boolean
  pictureUri: String
  configurationUriTemplate: String
  webhookUriTemplate: String
  oauthAuthorizationEndpoints: [String!]
  policyJwtAlg: WebhookPolicyJwtAlg
  policyJwtAudience: String
  policyJwtClaimExpiresIn: Int
  openidConnectDiscovery: Boolean
  requiresEnabledOauthPerson: Boolean
  newScopes: [AppOfferingScopeInput!]
  scopesToDelete: [ID!]
  uiExtensionId: ID
  uiExtensionVersionId: ID
  source: String
  sourceID: String
}

input AppOfferingPublishMutationInput { clientMutationId: String  id: ID! }

input AppOfferingAutomationRuleCreateInput {
  clientMutationId: String
  appOfferingId: ID!
  name: String!
  trigger: String!
  condition: String!
  expressions: [AutomationRuleExpressionInput!]
  actions: [AutomationRuleActionInput!]
  description: String
  generic: String
  position: Int
}

input AppOfferingAutomationRuleUpdateInput {
  clientMutationId: String
  id: ID!
  name: String
  trigger: String
  condition: String
  expressions: [AutomationRuleExpressionInput!]
  actions: [AutomationRuleActionInput!]
  description: String
  generic: String
  position: Int
}

input AppOfferingAutomationRuleDeleteMutationInput { clientMutationId: String  id: ID! }

input AppInstanceUpdateInput {
  clientMutationId: String
  id: ID!
  customerRepresentativeId: ID
  customFields: [CustomFieldInput!]
  customFieldsAttachments: [AttachmentInput!]
  disabled: Boolean
  enabledByCustomer: Boolean
  suspended: Boolean
  suspensionComment: String
}

input WebhookCreateInput {
  clientMutationId: String
  event: WebhookEvent!
  uri: String!
  name: String
  description: String
  descriptionAttachments: [AttachmentInput!]
  disabled: Boolean
  mailExceptionsTo: String
  webhookPolicyId: ID
  appOfferingReferences: [String!]
  openidConnectDiscovery: Boolean
  source: String
  sourceID: String
}

input WebhookUpdateInput {
  clientMutationId: String
  id: ID!
  event: WebhookEvent
  uri: String
  name: String
  description: String
  descriptionAttachments: [AttachmentInput!]
  disabled: Boolean
  mailExceptionsTo: String
  webhookPolicyId: ID
  appOfferingReferences: [String!]
  openidConnectDiscovery: Boolean
  source: String
  sourceID: String
}

input WebhookDeleteMutationInput { clientMutationId: String  id: ID! }

input WebhookPolicyCreateInput {
  clientMutationId: String
  jwtAlg: WebhookPolicyJwtAlg!
  jwtAudience: String
  jwtClaimExpiresIn: Int
  disabled: Boolean
}

input WebhookPolicyUpdateInput {
  clientMutationId: String
  id: ID!
  jwtAlg: WebhookPolicyJwtAlg
  jwtAudience: String
  jwtClaimExpiresIn: Int
  disabled: Boolean
}

input WebhookPolicyDeleteMutationInput { clientMutationId: String  id: ID! }

input UiExtensionCreateInput {
  clientMutationId: String
  name: String!
  category: UiExtensionCategory!
  title: String
  description: String
  html: String
  css: String
  javascript: String
  formDefinition: JSON
  activate: Boolean
  disabled: Boolean
  showOnComplete: Boolean
  darkModeSafe: Boolean
  source: String
  sourceID: String
  descriptionAttachments: [AttachmentInput!]
}

input UiExtensionUpdateInput {
  clientMutationId: String
  id: ID!
  name: String
  title: String
  description: String
  html: String
  css: String
  javascript: String
  formDefinition: JSON
  activate: Boolean
  disabled: Boolean
  showOnComplete: Boolean
  darkModeSafe: Boolean
  source: String
  sourceID: String
  descriptionAttachments: [AttachmentInput!]
}

input DiscoveredConfigurationItemsInput {
  clientMutationId: String
  source: String!
  referenceStrategies: JSON
  physicalAssets: [JSON!]
}

type AppOfferingCreatePayload { clientMutationId: String  errors: [ValidationError!]  appOffering: AppOffering }
type AppOfferingUpdatePayload { clientMutationId: String  errors: [ValidationError!]  appOffering: AppOffering }
type AppOfferingPublishPayload { clientMutationId: String  errors: [ValidationError!]  appOffering: AppOffering }
type AppOfferingAutomationRuleCreatePayload { clientMutationId: String  errors: [ValidationError!]  appOfferingAutomationRule: AppOfferingAutomationRule }
type AppOfferingAutomationRuleUpdatePayload { clientMutationId: String  errors: [ValidationError!]  appOfferingAutomationRule: AppOfferingAutomationRule }
type AppOfferingAutomationRuleDeletePayload { clientMutationId: String  errors: [ValidationError!]  success: Boolean }
type AppInstanceUpdatePayload { clientMutationId: String  errors: [ValidationError!]  appInstance: AppInstance }
type WebhookCreatePayload { clientMutationId: String  errors: [ValidationError!]  webhook: Webhook }
type WebhookUpdatePayload { clientMutationId: String  errors: [ValidationError!]  webhook: Webhook }
type WebhookDeletePayload { clientMutationId: String  errors: [ValidationError!]  success: Boolean }
type WebhookPolicyCreatePayload { clientMutationId: String  errors: [ValidationError!]  webhookPolicy: WebhookPolicyCreateResponse }
type WebhookPolicyUpdatePayload { clientMutationId: String  errors: [ValidationError!]  webhookPolicy: WebhookPolicy }
type WebhookPolicyDeletePayload { clientMutationId: String  errors: [ValidationError!]  success: Boolean }
type UiExtensionCreatePayload { clientMutationId: String  errors: [ValidationError!]  uiExtension: UiExtension }
type UiExtensionUpdatePayload { clientMutationId: String  errors: [ValidationError!]  uiExtension: UiExtension }
type DiscoveredConfigurationItemsPayload {
  clientMutationId: String
  errors: [ValidationError!]
  asyncQuery: AsyncQuery
  configurationItems: [ConfigurationItem!]
}

type Query {
  account: Account
  me: Person
  node(id: ID!): Node
  appOfferings(first: Int, after: String, last: Int, before: String, filter: AppOfferingFilter, view: AppOfferingView): AppOfferingConnection
  appInstances(first: Int, after: String, last: Int, before: String, filter: AppInstanceFilter, view: AppInstanceView): AppInstanceConnection
  serviceInstances(first: Int, after: String, last: Int, before: String, filter: ServiceInstanceFilter): ServiceInstanceConnection
  webhooks(first: Int, after: String, last: Int, before: String, filter: WebhookFilter): WebhookConnection
  webhookPolicies(first: Int, after: String, last: Int, before: String, filter: WebhookPolicyFilter): WebhookPolicyConnection
  uiExtensions(first: Int, after: String, last: Int, before: String, filter: UiExtensionFilter): UiExtensionConnection
  attachmentStorage: AttachmentStorage
  rateLimit: RateLimit
}

type Mutation {
  appOfferingCreate(input: AppOfferingCreateInput!): AppOfferingCreatePayload
  appOfferingUpdate(input: AppOfferingUpdateInput!): AppOfferingUpdatePayload
  appOfferingPublish(input: AppOfferingPublishMutationInput!): AppOfferingPublishPayload
  appOfferingAutomationRuleCreate(input: AppOfferingAutomationRuleCreateInput!): AppOfferingAutomationRuleCreatePayload
  appOfferingAutomationRuleUpdate(input: AppOfferingAutomationRuleUpdateInput!): AppOfferingAutomationRuleUpdatePayload
  appOfferingAutomationRuleDelete(input: AppOfferingAutomationRuleDeleteMutationInput!): AppOfferingAutomationRuleDeletePayload
  appInstanceUpdate(input: AppInstanceUpdateInput!): AppInstanceUpdatePayload
  webhookCreate(input: WebhookCreateInput!): WebhookCreatePayload
  webhookUpdate(input: WebhookUpdateInput!): WebhookUpdatePayload
  webhookDelete(input: WebhookDeleteMutationInput!): WebhookDeletePayload
  webhookPolicyCreate(input: WebhookPolicyCreateInput!): WebhookPolicyCreatePayload
  webhookPolicyUpdate(input: WebhookPolicyUpdateInput!): WebhookPolicyUpdatePayload
  webhookPolicyDelete(input: WebhookPolicyDeleteMutationInput!): WebhookPolicyDeletePayload
  uiExtensionCreate(input: UiExtensionCreateInput!): UiExtensionCreatePayload
  uiExtensionUpdate(input: UiExtensionUpdateInput!): UiExtensionUpdatePayload
  discoveredConfigurationItems(input: DiscoveredConfigurationItemsInput!): DiscoveredConfigurationItemsPayload
}
`;
