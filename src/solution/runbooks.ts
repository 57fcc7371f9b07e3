import type { z } from 'zod';
import type { EndpointAuth } from './auth.js';
import type { RunbookHandler } from './context.js';
import type {
  AutomationWebhookOutput,
  InstallationChangedOutput,
  JsonEndpointOutput,
  SecretsChangedOutput,
} from './outputs.js';

export type InstallationEvent = 'app_instance.create' | 'app_instance.update' | 'app_instance.delete';

export const INSTALLATION_EVENTS: readonly InstallationEvent[] = [
  'app_instance.create',
  'app_instance.update',
  'app_instance.delete',
];

/** Returns a reason to drop the delivery without a job, or a falsy value to keep it. */
export type Discard<Output> = (output: Output) => string | false | null | undefined;

export interface RetryOptions {
  /** Runs before the job is marked failed; backoffs do not count. Default 10. */
  maxAttempts?: number;
}

interface RunbookBase<Kind extends string, Output> {
  kind: Kind;
  discard?: Discard<Output>;
  retry?: RetryOptions;
  /**
   * Maximum number of this runbook's jobs that run at once, across all workers that share the
   * store. No limit of its own when absent; the worker's concurrency still applies.
   */
  concurrency?: number;
  handler?: RunbookHandler<Output>;
}

export interface SecretsChangedRunbook extends RunbookBase<'secretsChanged', SecretsChangedOutput> {
  /** Only these offerings; all the solution's offerings when absent. */
  appReferences?: string[];
}

export interface InstallationChangedRunbook extends RunbookBase<'installationChanged', InstallationChangedOutput> {
  event: InstallationEvent;
  appReference?: string;
  handler: RunbookHandler<InstallationChangedOutput>;
}

export interface AutomationWebhookRunbook<Payload = Record<string, unknown>>
  extends RunbookBase<'automationWebhook', AutomationWebhookOutput<Payload>> {
  appReference: string;
  payload?: z.ZodType<Payload>;
  handler: RunbookHandler<AutomationWebhookOutput<Payload>>;
}

export interface JsonEndpointRunbook<Body = unknown> extends RunbookBase<'jsonEndpoint', JsonEndpointOutput<Body>> {
  /** The endpoint is served at `POST /hooks/<path>`. */
  path: string;
  auth: EndpointAuth;
  body?: z.ZodType<Body>;
  handler: RunbookHandler<JsonEndpointOutput<Body>>;
}

export type Runbook =
  | SecretsChangedRunbook
  | InstallationChangedRunbook
  // The payload and body types vary per runbook; the engine treats them as unknown.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | AutomationWebhookRunbook<any>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | JsonEndpointRunbook<any>;

type Options<R extends { kind: string; handler?: unknown }> = Omit<R, 'kind' | 'handler'>;

/**
 * Runs when Xurrent pushes a customer's OAuth applications, webhook policy or secret fields.
 * The runtime stores them whether or not a handler is given.
 */
export function secretsChanged(
  options: Options<SecretsChangedRunbook> = {},
  handler?: RunbookHandler<SecretsChangedOutput>,
): SecretsChangedRunbook {
  return { ...options, kind: 'secretsChanged', ...(handler ? { handler } : {}) };
}

/** Runs when an app instance is created, updated or deleted in the provider account. */
export function installationChanged(
  options: Options<InstallationChangedRunbook>,
  handler: RunbookHandler<InstallationChangedOutput>,
): InstallationChangedRunbook {
  return { ...options, kind: 'installationChanged', handler };
}

/** Runs when an automation rule of the app offering calls the app's webhook in a customer account. */
export function automationWebhook<Payload = Record<string, unknown>>(
  options: Options<AutomationWebhookRunbook<Payload>>,
  handler: RunbookHandler<AutomationWebhookOutput<Payload>>,
): AutomationWebhookRunbook<Payload> {
  return { ...options, kind: 'automationWebhook', handler };
}

/** Runs when an external application posts JSON to `POST /hooks/<path>`. */
export function jsonEndpoint<Body = unknown>(
  options: Options<JsonEndpointRunbook<Body>>,
  handler: RunbookHandler<JsonEndpointOutput<Body>>,
): JsonEndpointRunbook<Body> {
  return { ...options, kind: 'jsonEndpoint', handler };
}
