/**
 * Applies a plan in the provider account and keeps the database in step after every change,
 * so that a run stopped half-way leaves a state the next run can continue from.
 */
import type { Logger } from '../log.js';
import type { Store } from '../storage/store.js';
import { XurrentNotFoundError } from '../xurrent/errors.js';
import { WEBHOOK_DESCRIPTION, type DesiredWebhook } from './desired.js';
import type { Change, PolicyTarget } from './plan.js';
import type { ProviderApi, WebhookChanges, WebhookInput } from './provider-api.js';
import { publicKeyFingerprint, type ProvisioningState, type ProvisioningStateStore } from './state.js';

export interface ApplyContext {
  api: ProviderApi;
  store: Store;
  stateStore: ProvisioningStateStore;
  /** Changed in place as changes are applied. */
  state: ProvisioningState;
  logger: Logger;
  /** Issuer to store when a created policy comes back without `account { url }`. */
  fallbackIssuer: string;
}

/** Applies the changes in order. Returns the webhooks that Xurrent sends webhook.verify to. */
export async function applyChanges(changes: readonly Change[], context: ApplyContext): Promise<string[]> {
  const awaitingVerification: string[] = [];
  let policy: PolicyTarget = context.state.policy ? { kind: 'existing', id: context.state.policy.id } : { kind: 'new' };

  for (const change of changes) {
    switch (change.kind) {
      case 'createPolicy':
        policy = { kind: 'existing', id: await createPolicy(context) };
        break;
      case 'enablePolicy':
        policy = { kind: 'existing', id: await enablePolicy(change.policyId, context) };
        break;
      case 'storePolicy':
        await refreshStoredPolicy(change, context);
        break;
      case 'deletePolicy':
        await context.api.deletePolicy(change.policyId);
        context.logger.info({ policyId: change.policyId }, 'deleted the replaced provider webhook policy');
        break;
      case 'createWebhook': {
        const id = await createWebhook(change.webhook, requirePolicy(policy), context);
        awaitingVerification.push(id);
        if (change.replaces !== undefined) {
          await deleteWebhook(change.replaces, context);
        }
        break;
      }
      case 'updateWebhook': {
        const fields = new Set(change.differences.map((difference) => difference.field));
        const id = await updateWebhook(change.webhookId, change.webhook, requirePolicy(policy), fields, context);
        if (fields.has('uri') || id !== change.webhookId) {
          awaitingVerification.push(id);
        }
        break;
      }
      case 'deleteWebhook':
        await deleteWebhook(change.webhookId, context);
        break;
      case 'updateOffering':
        await context.api.updateOffering(change.offeringId, change.templates);
        context.logger.info({ appReference: change.reference, fields: change.differences.map((d) => d.field) }, 'updated the app offering draft');
        break;
    }
  }
  return awaitingVerification;
}

async function createPolicy(context: ApplyContext): Promise<string> {
  const created = await context.api.createPolicy();
  await context.store.setProviderPolicy({
    algorithm: created.jwtAlg.toUpperCase(),
    publicKeyPem: created.publicKeyPem,
    issuer: created.accountUrl ?? context.fallbackIssuer,
    audience: created.jwtAudience,
    source: 'provisioned',
    updatedAt: new Date(),
  });
  context.state.policy = { id: created.id, publicKeyFingerprint: publicKeyFingerprint(created.publicKeyPem) };
  await context.stateStore.write(context.state);
  context.logger.info({ policyId: created.id, algorithm: created.jwtAlg }, 'created the provider webhook policy and stored its public key');
  return created.id;
}

/** Enables the policy, or creates a new one when it vanished since the plan was made. */
async function enablePolicy(id: string, context: ApplyContext): Promise<string> {
  try {
    await context.api.enablePolicy(id);
    context.logger.info({ policyId: id }, 'enabled the provider webhook policy');
    return id;
  } catch (error) {
    if (!(error instanceof XurrentNotFoundError)) {
      throw error;
    }
    context.logger.warn({ policyId: id }, 'the provider webhook policy was deleted during provisioning; creating a new one');
    return createPolicy(context);
  }
}

async function refreshStoredPolicy(change: Extract<Change, { kind: 'storePolicy' }>, context: ApplyContext): Promise<void> {
  const stored = await context.store.getProviderPolicy();
  if (stored === undefined) {
    return;
  }

  await context.store.setProviderPolicy({ ...stored, issuer: change.issuer, audience: change.audience, updatedAt: new Date() });
  context.logger.info({ fields: change.differences.map((difference) => difference.field) }, 'updated the stored provider policy');
}

async function createWebhook(desired: DesiredWebhook, policyId: string, context: ApplyContext): Promise<string> {
  const created = await context.api.createWebhook(webhookInput(desired, policyId), WEBHOOK_DESCRIPTION);
  context.state.webhooks[created.id] = { event: desired.event, verified: false };
  await context.stateStore.write(context.state);
  context.logger.info({ webhookId: created.id, event: desired.event, uri: desired.uri }, 'created webhook');
  return created.id;
}

/**
 * Updates the differing fields of the webhook and enables it, or creates it again when it
 * vanished since the plan was made. Returns its id.
 */
async function updateWebhook(
  id: string,
  desired: DesiredWebhook,
  policyId: string,
  fields: ReadonlySet<string>,
  context: ApplyContext,
): Promise<string> {
  const changes: WebhookChanges = {};
  if (fields.has('name')) changes.name = desired.name;
  if (fields.has('uri')) changes.uri = desired.uri;
  if (fields.has('webhookPolicy')) changes.policyId = policyId;
  if (fields.has('appOfferingReferences')) changes.appOfferingReferences = desired.appOfferingReferences;

  try {
    await context.api.updateWebhook(id, changes);
  } catch (error) {
    if (!(error instanceof XurrentNotFoundError)) {
      throw error;
    }
    context.logger.warn({ webhookId: id, event: desired.event }, 'webhook was deleted during provisioning; creating it again');
    delete context.state.webhooks[id];
    return createWebhook(desired, policyId, context);
  }

  // A webhook adopted by its name was verified, or the plan would have recreated it.
  const verified = fields.has('uri') ? false : (context.state.webhooks[id]?.verified ?? true);
  context.state.webhooks[id] = { event: desired.event, verified };
  await context.stateStore.write(context.state);
  context.logger.info({ webhookId: id, event: desired.event }, 'updated webhook');
  return id;
}

async function deleteWebhook(id: string, context: ApplyContext): Promise<void> {
  const existed = await context.api.deleteWebhook(id);
  delete context.state.webhooks[id];
  await context.stateStore.write(context.state);
  context.logger.info({ webhookId: id, existed }, 'deleted webhook');
}

function webhookInput(desired: DesiredWebhook, policyId: string): WebhookInput {
  return {
    event: desired.event,
    name: desired.name,
    uri: desired.uri,
    policyId,
    appOfferingReferences: desired.appOfferingReferences,
  };
}

function requirePolicy(policy: PolicyTarget): string {
  if (policy.kind !== 'existing') {
    throw new Error('a webhook change was planned before the provider policy was created; the plan is out of order');
  }
  return policy.id;
}
