import type { DeliverySender } from './deliveries.js';
import { RecordNotFound, ValidationFailed } from './domain-errors.js';
import type { ValidationIssue } from './domain-errors.js';
import { startVerification } from './events.js';
import { randomHex } from './ids.js';
import { generatePolicyKeys, isSigningAlgorithm, SIGNING_ALGORITHMS } from './signing.js';
import type { PersonRecord, SimulatorState, WebhookPolicyRecord, WebhookRecord } from './state.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';

const MAX_AUDIENCE_LENGTH = 2048;

export interface WebhookPolicyInput {
  jwtAlg?: string;
  jwtAudience?: string | null;
  jwtClaimExpiresIn?: number | null;
  disabled?: boolean;
}

export interface WebhookInput {
  event?: string;
  uri?: string;
  name?: string | null;
  description?: string | null;
  disabled?: boolean;
  mailExceptionsTo?: string | null;
  webhookPolicyId?: number | null;
  appOfferingReferences?: string[] | null;
  openidConnectDiscovery?: boolean;
  source?: string | null;
  sourceID?: string | null;
}

export async function createWebhookPolicy(
  state: SimulatorState,
  accountId: string,
  input: WebhookPolicyInput & { jwtAlg: string },
): Promise<WebhookPolicyRecord> {
  const jwtAlg = validatePolicyInput(input) ?? input.jwtAlg;
  const keys = await generatePolicyKeys(jwtAlg as (typeof SIGNING_ALGORITHMS)[number]);
  const now = state.now();
  const policy: WebhookPolicyRecord = {
    id: state.nextId('WebhookPolicy'),
    accountId,
    name: randomHex(28),
    disabled: input.disabled ?? false,
    jwtAlg,
    jwtAudience: input.jwtAudience ?? null,
    jwtClaimExpiresIn: input.jwtClaimExpiresIn ?? null,
    keyId: keys.keyId,
    privateKey: keys.privateKey,
    publicKeyPem: keys.publicKeyPem,
    createdAt: now,
    updatedAt: now,
  };
  state.webhookPolicies.set(policy.id, policy);
  return policy;
}

/** Updates a policy; a new jwtAlg gets a new key pair, whose public key is only readable through control. */
export async function updateWebhookPolicy(
  state: SimulatorState,
  accountId: string,
  id: number,
  input: WebhookPolicyInput,
): Promise<WebhookPolicyRecord> {
  const policy = findOwned(state.webhookPolicies, accountId, id, 'WebhookPolicy');
  const jwtAlg = validatePolicyInput(input);
  if (jwtAlg !== undefined && jwtAlg !== policy.jwtAlg) {
    const keys = await generatePolicyKeys(jwtAlg as (typeof SIGNING_ALGORITHMS)[number]);
    Object.assign(policy, { jwtAlg, keyId: keys.keyId, privateKey: keys.privateKey, publicKeyPem: keys.publicKeyPem });
  }
  if (input.jwtAudience !== undefined) policy.jwtAudience = input.jwtAudience;
  if (input.jwtClaimExpiresIn !== undefined) policy.jwtClaimExpiresIn = input.jwtClaimExpiresIn;
  if (input.disabled !== undefined) policy.disabled = input.disabled;
  policy.updatedAt = state.now();
  return policy;
}

export function deleteWebhookPolicy(state: SimulatorState, accountId: string, id: number): void {
  findOwned(state.webhookPolicies, accountId, id, 'WebhookPolicy');
  state.webhookPolicies.delete(id);
  for (const webhook of state.webhooks.values()) {
    if (webhook.webhookPolicyId === id) webhook.webhookPolicyId = null;
  }
}

/**
 * Creates a webhook and sends it webhook.verify; it receives no other event until verified.
 * `verified: true` is for seeding through control: no webhook.verify, active at once.
 */
export function createWebhook(
  state: SimulatorState,
  sender: DeliverySender,
  accountId: string,
  person: PersonRecord,
  input: WebhookInput & { event: string; uri: string },
  options: { verified?: boolean } = {},
): WebhookRecord {
  validateWebhookInput(state, accountId, input);
  const now = state.now();
  const webhook: WebhookRecord = {
    id: state.nextId('Webhook'),
    accountId,
    name: input.name ?? input.event,
    description: input.description ?? null,
    disabled: input.disabled ?? false,
    event: input.event,
    uri: input.uri,
    mailExceptionsTo: input.mailExceptionsTo ?? null,
    webhookPolicyId: input.webhookPolicyId ?? null,
    appOfferingReferences: input.appOfferingReferences ?? [],
    openidConnectDiscovery: input.openidConnectDiscovery ?? false,
    source: input.source ?? null,
    sourceID: input.sourceID ?? null,
    verified: false,
    verification: null,
    consecutiveFailures: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
  state.webhooks.set(webhook.id, webhook);
  if (options.verified) webhook.verified = true;
  else startVerification(state, sender, webhook, person);
  return webhook;
}

/** Updates a webhook; a new uri makes it unverified again and sends webhook.verify. */
export function updateWebhook(
  state: SimulatorState,
  sender: DeliverySender,
  accountId: string,
  person: PersonRecord,
  id: number,
  input: WebhookInput,
): WebhookRecord {
  const webhook = findOwned(state.webhooks, accountId, id, 'Webhook');
  validateWebhookInput(state, accountId, input);
  const uriChanged = input.uri !== undefined && input.uri !== webhook.uri;
  const reenabled = input.disabled === false && webhook.disabled;
  if (input.event !== undefined) webhook.event = input.event;
  if (input.uri !== undefined) webhook.uri = input.uri;
  if (input.name !== undefined) webhook.name = input.name ?? webhook.event;
  if (input.description !== undefined) webhook.description = input.description;
  if (input.disabled !== undefined) webhook.disabled = input.disabled;
  if (input.mailExceptionsTo !== undefined) webhook.mailExceptionsTo = input.mailExceptionsTo;
  if (input.webhookPolicyId !== undefined) webhook.webhookPolicyId = input.webhookPolicyId;
  if (input.appOfferingReferences !== undefined) webhook.appOfferingReferences = input.appOfferingReferences ?? [];
  if (input.openidConnectDiscovery !== undefined) webhook.openidConnectDiscovery = input.openidConnectDiscovery;
  if (input.source !== undefined) webhook.source = input.source;
  if (input.sourceID !== undefined) webhook.sourceID = input.sourceID;
  if (reenabled) {
    webhook.consecutiveFailures = 0;
    webhook.lastError = null;
  }
  webhook.updatedAt = state.now();
  if (uriChanged) startVerification(state, sender, webhook, person);
  return webhook;
}

export function deleteWebhook(state: SimulatorState, accountId: string, id: number): void {
  findOwned(state.webhooks, accountId, id, 'Webhook');
  state.webhooks.delete(id);
}

export type VerificationResult = 'verified' | 'not_found' | 'invalid_code' | 'expired';

/** Handles a GET on a webhook.verify callback URL. */
export function completeVerification(
  state: SimulatorState,
  accountId: string,
  webhookId: number,
  code: string | undefined,
): VerificationResult {
  const webhook = state.webhooks.get(webhookId);
  if (!webhook || webhook.accountId !== accountId) return 'not_found';
  if (webhook.verification === null) return webhook.verified ? 'verified' : 'invalid_code';
  if (code !== webhook.verification.code) return 'invalid_code';
  if (webhook.verification.expiresAt * 1000 <= state.now()) return 'expired';
  webhook.verified = true;
  webhook.verification = null;
  return 'verified';
}

/** Returns a record of the account, or raises RecordNotFound for a missing id or another account's record. */
export function findOwned<T extends { accountId: string }>(
  records: Map<number, T>,
  accountId: string,
  id: number,
  type: string,
): T {
  const record = records.get(id);
  if (!record || record.accountId !== accountId) throw new RecordNotFound(type, id);
  return record;
}

function validatePolicyInput(input: WebhookPolicyInput): string | undefined {
  const issues: ValidationIssue[] = [];
  const jwtAlg = input.jwtAlg?.toLowerCase();
  if (jwtAlg !== undefined && !isSigningAlgorithm(jwtAlg)) {
    issues.push({
      path: ['jwtAlg'],
      message: `Invalid JWT algorithm: ${input.jwtAlg}. The simulator signs with ${SIGNING_ALGORITHMS.join(', ')}.`,
    });
  }
  if (input.jwtAudience && input.jwtAudience.length > MAX_AUDIENCE_LENGTH) {
    issues.push({ path: ['jwtAudience'], message: `is too long (maximum is ${MAX_AUDIENCE_LENGTH} characters)` });
  }
  if (input.jwtClaimExpiresIn !== undefined && input.jwtClaimExpiresIn !== null && input.jwtClaimExpiresIn < 1) {
    issues.push({ path: ['jwtClaimExpiresIn'], message: 'must be at least 1 (minutes)' });
  }
  if (issues.length > 0) throw new ValidationFailed(issues);
  return jwtAlg;
}

function validateWebhookInput(state: SimulatorState, accountId: string, input: WebhookInput): void {
  const issues: ValidationIssue[] = [];
  if (input.event !== undefined && !WEBHOOK_EVENTS.includes(input.event)) {
    issues.push({ path: ['event'], message: `is not a webhook event: ${input.event}` });
  }
  if (input.uri !== undefined && !isHttpUrl(input.uri)) {
    issues.push({ path: ['uri'], message: `is invalid: ${input.uri}. Use an absolute http or https URL.` });
  }
  if (input.webhookPolicyId !== undefined && input.webhookPolicyId !== null) {
    const policy = state.webhookPolicies.get(input.webhookPolicyId);
    if (!policy || policy.accountId !== accountId) {
      issues.push({ path: ['webhookPolicyId'], message: 'does not name a webhook policy of this account' });
    }
  }
  if (issues.length > 0) throw new ValidationFailed(issues);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
