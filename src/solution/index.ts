export { defineSolution, type Solution, type SolutionOptions, type SecretsWaitOptions, type RemovalOptions, type OfferingSettings } from './define.js';
export { secret, isSecretField } from './secret-field.js';
export {
  secretsChanged,
  installationChanged,
  automationWebhook,
  jsonEndpoint,
  INSTALLATION_EVENTS,
  type InstallationEvent,
  type Runbook,
  type SecretsChangedRunbook,
  type InstallationChangedRunbook,
  type AutomationWebhookRunbook,
  type JsonEndpointRunbook,
  type Discard,
  type RetryOptions,
} from './runbooks.js';
export type * from './outputs.js';
export type * from './context.js';
export type * from './auth.js';
