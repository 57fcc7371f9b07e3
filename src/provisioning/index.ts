export { DEFAULT_VERIFY_TIMEOUT_MS, normalizePublicUrl, provision } from './provision.js';
export type { PendingWebhook, ProvisionOptions, ProvisionResult, VerificationOutcome } from './provision.js';
export { deprovision } from './deprovision.js';
export type { DeprovisionOptions, DeprovisionResult } from './deprovision.js';
export type { Change, Difference } from './plan.js';
export {
  PROVISIONED_EVENTS,
  SECRETS_EVENT,
  WEBHOOK_NAME_PREFIX,
  automationUriTemplate,
  desiredState,
  webhookName,
} from './desired.js';
export type { DesiredOffering, DesiredState, DesiredWebhook, ProvisionedEvent } from './desired.js';
export { describeChange, formatDeprovisionResult, formatProvisionResult, provisionSucceeded } from './report.js';
export { OAUTH_APPLICATION_NAME, checkPassed, checkProvider, formatProviderCheck } from './check.js';
export type { ProviderCheck } from './check.js';
