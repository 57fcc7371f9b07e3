/**
 * `provision`: brings the provider account in line with a solution. It reads the provider
 * webhook policy, the webhooks and the offering drafts, plans the changes, applies them
 * (unless it is a dry run) and waits until Xurrent's webhook.verify reached the receiver.
 */
import { XurrentConnection } from '../connection/xurrent-connection.js';
import { ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { Store } from '../storage/store.js';
import { accountUrl, type ConnectionSettings } from '../xurrent/connection-settings.js';
import { applyChanges } from './apply.js';
import { desiredState, type DesiredState } from './desired.js';
import { withProvisioningLock } from './lock.js';
import { managedWebhooks, planChanges, type Change, type CurrentState, type Plan } from './plan.js';
import { ProviderApi, type OfferingVersions } from './provider-api.js';
import { ProvisioningStateStore, type ProvisioningState } from './state.js';
import { findVerifiedWebhooks, listVerifyRecords, receiverProblem, waitForVerification } from './verification.js';

export interface ProvisionOptions {
  solution: Solution;
  settings: ConnectionSettings;
  /** Database of the `xac serve` at `publicUrl`, which stores the policy key and records the webhook.verify deliveries. */
  store: Store;
  secretStore: SecretStore;
  /** Base URL at which Xurrent reaches the receiver, for example `https://xac.example.com`. */
  publicUrl: string;
  /** List the changes without making them. */
  dryRun?: boolean;
  logger?: Logger;
  /** Maximum wait for the receiver to confirm webhook.verify, in milliseconds. Default 60 000; 0 skips the wait. */
  verifyTimeoutMs?: number;
  /** HTTP client for Xurrent and the receiver health check; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
}

export interface PendingWebhook {
  id: string;
  event: string;
}

export type VerificationOutcome =
  /** No webhook was created or re-pointed, so Xurrent sends no webhook.verify. */
  | { status: 'none' }
  /** The caller turned the wait off. */
  | { status: 'skipped'; webhooks: PendingWebhook[] }
  /** `GET <publicUrl>/healthz` failed, so the webhooks cannot be verified now. */
  | { status: 'unreachable'; webhooks: PendingWebhook[]; reason: string }
  | { status: 'awaited'; verified: PendingWebhook[]; pending: PendingWebhook[]; timeoutMs: number };

export interface ProvisionResult {
  dryRun: boolean;
  providerAccount: string;
  publicUrl: string;
  /** The changes made, or in a dry run the changes a real run would make. */
  changes: Change[];
  /** Needs that provisioning cannot meet, such as a missing offering. The account does not work until they are fixed. */
  problems: string[];
  warnings: string[];
  verification: VerificationOutcome;
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 60_000;

/**
 * Brings the provider account in line with the solution, or in a dry run lists what that
 * takes. Two processes that share the database never provision at once.
 */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  const publicUrl = normalizePublicUrl(options.publicUrl);
  const logger = options.logger ?? silentLogger();
  const dryRun = options.dryRun ?? false;
  const desired = desiredState(options.solution, publicUrl);
  const api = providerApi(options, logger);
  const stateStore = new ProvisioningStateStore(options.store, options.secretStore);

  const run = async (): Promise<ProvisionResult> => {
    const current = await readCurrentState(api, options.store, stateStore, desired);
    const plan = planChanges(desired, current, options.settings.providerAccount);
    const result: ProvisionResult = {
      dryRun,
      providerAccount: options.settings.providerAccount,
      publicUrl,
      changes: plan.changes,
      problems: plan.problems,
      warnings: [...plan.warnings],
      verification: { status: 'none' },
    };

    const receiver = sendsVerification(plan.changes) ? await receiverProblem(publicUrl, options.fetch) : undefined;
    if (receiver !== undefined) {
      result.warnings.push(
        `the receiver is not reachable: ${receiver}. Xurrent's webhook.verify will fail until xac serve runs at ${publicUrl}`,
      );
    }
    if (dryRun) {
      return result;
    }

    await updateBookkeeping(plan, current, stateStore);
    // A re-pointed webhook may have an older verify record, which must not count for its new URI.
    const earlierVerifications = new Set((await listVerifyRecords(options.store)).map((record) => record.deliveryId));
    logger.info({ changes: plan.changes.length, providerAccount: result.providerAccount }, 'provisioning the provider account');
    const awaiting = await applyChanges(plan.changes, {
      api,
      store: options.store,
      stateStore,
      state: current.state,
      logger,
      fallbackIssuer: accountUrl(options.settings, options.settings.providerAccount),
    });

    result.verification = await awaitVerification(awaiting, {
      state: current.state,
      stateStore,
      store: options.store,
      ignoredDeliveryIds: earlierVerifications,
      timeoutMs: options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
      receiverProblem: receiver,
    });
    return result;
  };

  return dryRun ? run() : withProvisioningLock(options.store, run);
}

/** Returns the provider API of the connection settings, with tokens cached sealed in the store. */
export function providerApi(
  options: Pick<ProvisionOptions, 'settings' | 'store' | 'secretStore' | 'fetch'>,
  logger: Logger,
): ProviderApi {
  const connection = new XurrentConnection(options.settings, options.store, options.secretStore, options.fetch);
  return new ProviderApi(connection.provider({ logger }));
}

/** Removes a trailing slash and rejects anything but an http(s) URL without query or fragment. */
export function normalizePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`public URL ${JSON.stringify(value)} is not a URL; set XAC_PUBLIC_URL to the base URL at which Xurrent reaches xac serve, for example https://xac.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConfigError(`public URL ${value} must be an http(s) URL without query, fragment or credentials, for example https://xac.example.com`);
  }
  return value.replace(/\/+$/, '');
}

async function readCurrentState(
  api: ProviderApi,
  store: Store,
  stateStore: ProvisioningStateStore,
  desired: DesiredState,
): Promise<CurrentState> {
  const state = await stateStore.read();
  const policy = state.policy === undefined ? undefined : await api.findPolicy(state.policy.id);
  const storedPolicy = await store.getProviderPolicy();
  const webhooks = await api.listWebhooks();

  const offerings = new Map<string, OfferingVersions>();
  for (const offering of desired.offerings) {
    offerings.set(offering.reference, await api.findOffering(offering.reference));
  }

  const unconfirmed = managedWebhooks(webhooks, state)
    .filter((webhook) => state.webhooks[webhook.id]?.verified !== true)
    .map((webhook) => webhook.id);
  const verifiedWebhookIds = await findVerifiedWebhooks(store, unconfirmed);
  return { state, policy, storedPolicy, webhooks, offerings, verifiedWebhookIds };
}

/** Returns whether a change makes Xurrent send webhook.verify: a new webhook, or a new URI. */
function sendsVerification(changes: readonly Change[]): boolean {
  return changes.some(
    (change) =>
      change.kind === 'createWebhook' ||
      (change.kind === 'updateWebhook' && change.differences.some((difference) => difference.field === 'uri')),
  );
}

/** Records webhooks verified since the last run, and removes webhooks deleted in Xurrent from the saved state. */
async function updateBookkeeping(plan: Plan, current: CurrentState, stateStore: ProvisioningStateStore): Promise<void> {
  const { state } = current;
  const existing = new Set(current.webhooks.map((webhook) => webhook.id));
  const gone = Object.keys(state.webhooks).filter((id) => !existing.has(id));
  if (plan.newlyVerifiedWebhooks.length === 0 && gone.length === 0) {
    return;
  }

  for (const id of gone) {
    delete state.webhooks[id];
  }
  for (const webhook of plan.newlyVerifiedWebhooks) {
    state.webhooks[webhook.id] = { event: webhook.event, verified: true };
  }
  await stateStore.write(state);
}

async function awaitVerification(
  webhookIds: readonly string[],
  context: {
    state: ProvisioningState;
    stateStore: ProvisioningStateStore;
    store: Store;
    ignoredDeliveryIds: ReadonlySet<string>;
    timeoutMs: number;
    receiverProblem: string | undefined;
  },
): Promise<VerificationOutcome> {
  const named = (ids: readonly string[]) => ids.map((id) => ({ id, event: context.state.webhooks[id]?.event ?? '' }));
  if (webhookIds.length === 0) {
    return { status: 'none' };
  }
  if (context.receiverProblem !== undefined) {
    return { status: 'unreachable', webhooks: named(webhookIds), reason: context.receiverProblem };
  }
  if (context.timeoutMs <= 0) {
    return { status: 'skipped', webhooks: named(webhookIds) };
  }

  const { verified, pending } = await waitForVerification(context.store, webhookIds, {
    ignoredDeliveryIds: context.ignoredDeliveryIds,
    timeoutMs: context.timeoutMs,
  });
  for (const id of verified) {
    const entry = context.state.webhooks[id];
    if (entry !== undefined) {
      entry.verified = true;
    }
  }
  await context.stateStore.write(context.state);
  return { status: 'awaited', verified: named(verified), pending: named(pending), timeoutMs: context.timeoutMs };
}
