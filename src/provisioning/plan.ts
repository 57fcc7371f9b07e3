/**
 * Compares what exists in the provider account with what the solution needs and lists the
 * changes, as data, so that a dry run can print them and a real run can apply them.
 */
import type { StoredProviderPolicy } from '../storage/store.js';
import type { DesiredOffering, DesiredState, DesiredWebhook } from './desired.js';
import { WEBHOOK_NAME_PREFIX, sorted } from './desired.js';
import type { OfferingVersions, PolicyRecord, WebhookRecord } from './provider-api.js';
import { publicKeyFingerprint, type ProvisioningState } from './state.js';

export interface Difference {
  field: string;
  from: string;
  to: string;
}

/** The provider policy that webhooks must use: an existing one, or the one a change creates. */
export type PolicyTarget = { kind: 'existing'; id: string } | { kind: 'new' };

export type Change =
  | { kind: 'createPolicy'; reason: string }
  | { kind: 'enablePolicy'; policyId: string }
  | { kind: 'storePolicy'; policyId: string; differences: Difference[]; issuer: string; audience: string | null }
  | { kind: 'deletePolicy'; policyId: string; reason: string }
  | { kind: 'createWebhook'; webhook: DesiredWebhook; reason: string; replaces?: string }
  | { kind: 'updateWebhook'; webhookId: string; webhook: DesiredWebhook; differences: Difference[] }
  | { kind: 'deleteWebhook'; webhookId: string; event: string; reason: string }
  | {
      kind: 'updateOffering';
      offeringId: string;
      reference: string;
      differences: Difference[];
      templates: { webhookUriTemplate?: string; configurationUriTemplate?: string };
    };

/** The provider account and the database, as read before planning. */
export interface CurrentState {
  state: ProvisioningState;
  /** The policy named in the state, or undefined when there is none or Xurrent lost it. */
  policy: PolicyRecord | undefined;
  storedPolicy: StoredProviderPolicy | undefined;
  webhooks: WebhookRecord[];
  offerings: ReadonlyMap<string, OfferingVersions>;
  /** Webhooks whose webhook.verify the receiver recorded. */
  verifiedWebhookIds: ReadonlySet<string>;
}

export interface Plan {
  /** In the order they must be applied: policy, webhooks, old policy, offerings. */
  changes: Change[];
  /** Needs that no change can meet, such as a missing offering. */
  problems: string[];
  warnings: string[];
  /** Kept webhooks that the state does not list as verified but whose webhook.verify was recorded. */
  newlyVerifiedWebhooks: { id: string; event: string }[];
}

export function planChanges(desired: DesiredState, current: CurrentState, providerAccount: string): Plan {
  const policy = planPolicy(current);
  const webhooks = planWebhooks(desired.webhooks, current, policy.target);
  const offerings = planOfferings(desired.offerings, current.offerings, providerAccount);

  return {
    changes: [...policy.changes, ...webhooks.changes, ...policy.cleanup, ...offerings.changes],
    problems: offerings.problems,
    warnings: [...policy.warnings, ...offerings.warnings],
    newlyVerifiedWebhooks: webhooks.newlyVerified,
  };
}

/** Lists the managed webhooks: those whose ids the state keeps, and those named as ours. */
export function managedWebhooks(webhooks: readonly WebhookRecord[], state: ProvisioningState): WebhookRecord[] {
  return webhooks.filter((webhook) => webhook.id in state.webhooks || (webhook.name ?? '').startsWith(WEBHOOK_NAME_PREFIX));
}

function planPolicy(current: CurrentState): {
  changes: Change[];
  cleanup: Change[];
  warnings: string[];
  target: PolicyTarget;
} {
  const { state, policy, storedPolicy } = current;
  const create = (reason: string, replaced?: string) => ({
    changes: [{ kind: 'createPolicy', reason } as const],
    cleanup: replaced === undefined ? [] : [{ kind: 'deletePolicy', policyId: replaced, reason: 'replaced by the new policy' } as const],
    warnings: storedPolicy?.source === 'manual' ? ['the provider policy set with `xac policy set` will be replaced by the provisioned one'] : [],
    target: { kind: 'new' } as const,
  });

  if (state.policy === undefined) {
    return create('no provisioned policy is recorded in the database');
  }
  const id = state.policy.id;
  if (policy === undefined) {
    return create(`policy ${id} no longer exists in Xurrent`);
  }
  if (storedPolicy === undefined || publicKeyFingerprint(storedPolicy.publicKeyPem) !== state.policy.publicKeyFingerprint) {
    return create(
      `the public key of policy ${id} is not stored in the database, and Xurrent returns a policy's key only when it is created`,
      id,
    );
  }
  if (policy.jwtAlg !== storedPolicy.algorithm.toLowerCase()) {
    return create(`policy ${id} now uses ${policy.jwtAlg}, and the key for it is not stored in the database`, id);
  }

  const changes: Change[] = [];
  if (policy.disabled) {
    changes.push({ kind: 'enablePolicy', policyId: id });
  }
  const differences: Difference[] = [];
  if (policy.accountUrl !== null && policy.accountUrl !== storedPolicy.issuer) {
    differences.push({ field: 'issuer', from: storedPolicy.issuer, to: policy.accountUrl });
  }
  if (policy.jwtAudience !== (storedPolicy.audience ?? null)) {
    differences.push({ field: 'audience', from: shown(storedPolicy.audience ?? null), to: shown(policy.jwtAudience) });
  }
  if (differences.length > 0) {
    changes.push({
      kind: 'storePolicy',
      policyId: id,
      differences,
      issuer: policy.accountUrl ?? storedPolicy.issuer,
      audience: policy.jwtAudience,
    });
  }
  return { changes, cleanup: [], warnings: [], target: { kind: 'existing', id } };
}

function planWebhooks(
  desiredWebhooks: readonly DesiredWebhook[],
  current: CurrentState,
  policy: PolicyTarget,
): { changes: Change[]; newlyVerified: { id: string; event: string }[] } {
  const { state, verifiedWebhookIds } = current;
  const managed = managedWebhooks(current.webhooks, state);
  const isVerified = (id: string) => state.webhooks[id]?.verified === true || verifiedWebhookIds.has(id);
  const changes: Change[] = [];
  const newlyVerified: { id: string; event: string }[] = [];

  for (const desired of desiredWebhooks) {
    // Keep a verified webhook over an unverified one, and one we created over one found by name.
    const group = managed
      .filter((webhook) => webhook.event === desired.event)
      .sort((a, b) => rank(b) - rank(a));
    const [kept, ...duplicates] = group;
    if (kept === undefined) {
      changes.push({ kind: 'createWebhook', webhook: desired, reason: 'none exists' });
      continue;
    }
    for (const duplicate of duplicates) {
      changes.push({ kind: 'deleteWebhook', webhookId: duplicate.id, event: duplicate.event, reason: `duplicate of ${kept.id}` });
    }

    const differences = webhookDifferences(kept, desired, policy);
    const uriChanges = differences.some((difference) => difference.field === 'uri');
    if (!isVerified(kept.id) && !uriChanges) {
      // Xurrent keeps an unverified webhook inactive and sends webhook.verify again only for a new URI.
      changes.push({
        kind: 'createWebhook',
        webhook: desired,
        reason: `webhook ${kept.id} was never verified by this runtime, so Xurrent sends it no events`,
        replaces: kept.id,
      });
      continue;
    }
    if (state.webhooks[kept.id]?.verified !== true && verifiedWebhookIds.has(kept.id)) {
      newlyVerified.push({ id: kept.id, event: kept.event });
    }
    if (differences.length > 0) {
      changes.push({ kind: 'updateWebhook', webhookId: kept.id, webhook: desired, differences });
    }
  }

  const desiredEvents = new Set<string>(desiredWebhooks.map((webhook) => webhook.event));
  for (const webhook of managed) {
    if (!desiredEvents.has(webhook.event)) {
      changes.push({
        kind: 'deleteWebhook',
        webhookId: webhook.id,
        event: webhook.event,
        reason: `no runbook of the solution needs ${webhook.event || 'its event'}`,
      });
    }
  }
  return { changes, newlyVerified };

  function rank(webhook: WebhookRecord): number {
    return (isVerified(webhook.id) ? 2 : 0) + (webhook.id in state.webhooks ? 1 : 0);
  }
}

function webhookDifferences(webhook: WebhookRecord, desired: DesiredWebhook, policy: PolicyTarget): Difference[] {
  const differences: Difference[] = [];
  if (webhook.uri !== desired.uri) {
    differences.push({ field: 'uri', from: webhook.uri, to: desired.uri });
  }
  if (policy.kind === 'new') {
    differences.push({ field: 'webhookPolicy', from: shown(webhook.policyId), to: 'the new policy' });
  } else if (webhook.policyId !== policy.id) {
    differences.push({ field: 'webhookPolicy', from: shown(webhook.policyId), to: policy.id });
  }
  const references = sorted(webhook.appOfferingReferences);
  if (references.join('\n') !== desired.appOfferingReferences.join('\n')) {
    differences.push({
      field: 'appOfferingReferences',
      from: shownReferences(references),
      to: shownReferences(desired.appOfferingReferences),
    });
  }
  if (webhook.disabled) {
    differences.push({ field: 'disabled', from: 'true', to: 'false' });
  }
  if (webhook.name !== desired.name) {
    differences.push({ field: 'name', from: shown(webhook.name), to: desired.name });
  }
  return differences;
}

function planOfferings(
  desiredOfferings: readonly DesiredOffering[],
  offerings: ReadonlyMap<string, OfferingVersions>,
  providerAccount: string,
): { changes: Change[]; problems: string[]; warnings: string[] } {
  const changes: Change[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];

  for (const desired of desiredOfferings) {
    const { draft, published } = offerings.get(desired.reference) ?? { draft: undefined, published: undefined };
    if (draft === undefined) {
      problems.push(
        `app offering ${desired.reference} was not found in provider account ${providerAccount}; ` +
          `create it in Xurrent with reference ${desired.reference}, then run xac provision again`,
      );
      continue;
    }

    // NOTE: the simulator copies webhookUriTemplate into a customer's app webhook at install
    // time. Whether Xurrent moves existing installations to a new template is not documented.
    const differences = templateDifferences(draft, desired);
    if (differences.length > 0) {
      const templates: { webhookUriTemplate?: string; configurationUriTemplate?: string } = {};
      if (desired.webhookUriTemplate !== undefined) templates.webhookUriTemplate = desired.webhookUriTemplate;
      if (desired.configurationUriTemplate !== undefined) templates.configurationUriTemplate = desired.configurationUriTemplate;
      changes.push({ kind: 'updateOffering', offeringId: draft.id, reference: desired.reference, differences, templates });
    }

    if (published !== undefined) {
      const stale = templateDifferences(published, desired).map((difference) => difference.field);
      if (stale.length > 0) {
        warnings.push(
          `app offering ${desired.reference}: the latest published version has another ${stale.join(' and ')}; ` +
            'publish the draft in Xurrent so that new installations use the provisioned one',
        );
      }
    }
  }
  return { changes, problems, warnings };
}

function templateDifferences(
  offering: { webhookUriTemplate: string | null; configurationUriTemplate: string | null },
  desired: DesiredOffering,
): Difference[] {
  const differences: Difference[] = [];
  if (desired.webhookUriTemplate !== undefined && offering.webhookUriTemplate !== desired.webhookUriTemplate) {
    differences.push({ field: 'webhookUriTemplate', from: shown(offering.webhookUriTemplate), to: desired.webhookUriTemplate });
  }
  if (desired.configurationUriTemplate !== undefined && offering.configurationUriTemplate !== desired.configurationUriTemplate) {
    differences.push({
      field: 'configurationUriTemplate',
      from: shown(offering.configurationUriTemplate),
      to: desired.configurationUriTemplate,
    });
  }
  return differences;
}

function shown(value: string | null): string {
  return value === null || value === '' ? '(none)' : value;
}

function shownReferences(references: readonly string[]): string {
  return references.length === 0 ? '(every offering)' : references.join(', ');
}
