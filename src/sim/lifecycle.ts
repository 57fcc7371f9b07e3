import { createOauthApplication, deleteOauthApplication, ensureCustomerAccount } from './accounts.js';
import {
  applyInstanceActivity,
  findInstance,
  instancePayload,
  isInstanceActive,
  mergeCustomFields,
  offeringBlock,
} from './app-instances.js';
import type { InstallPart } from './control-schemas.js';
import type { DeliverySender } from './deliveries.js';
import { SimError } from './errors.js';
import { emitAccountEvent, sendToWebhook } from './events.js';
import type { EventInput } from './events.js';
import { findInstallableOffering, rulesOf } from './offerings.js';
import type {
  AppInstanceRecord,
  AutomationRuleRecord,
  CustomFieldValue,
  GrantType,
  OfferingRecord,
  PersonRecord,
  SimulatorState,
} from './state.js';
import { createWebhook, createWebhookPolicy } from './webhooks.js';

/** Order of the install deliveries unless the caller chooses another. */
export const DEFAULT_INSTALL_ORDER: readonly InstallPart[] = [
  'create',
  'application',
  'authorization_application',
  'policy',
  'secrets',
];

export interface LifecycleDeps {
  state: SimulatorState;
  sender: DeliverySender;
}

export type CustomFieldsInput = Record<string, unknown> | CustomFieldValue[];

export interface InstallInput {
  customer: string;
  offeringReference: string;
  customFields?: CustomFieldsInput;
  secrets?: Record<string, string>;
  order?: InstallPart[];
  enabledByCustomer?: boolean;
}

export interface UpdateInput {
  customer: string;
  offeringReference: string;
  customFields?: CustomFieldsInput;
  secrets?: Record<string, string>;
  disabled?: boolean;
  suspended?: boolean;
  suspensionComment?: string | null;
  enabledByCustomer?: boolean;
  upgrade?: boolean;
}

export interface FireInput {
  customer: string;
  offeringReference: string;
  rule?: string;
  payload?: Record<string, unknown>;
}

export interface LifecycleResult {
  appInstanceId: number;
  /** Delivery call ids in the order they were queued (see deliveries({callId})). */
  callIds: number[];
}

/**
 * Installs an offering for a customer: creates the app instance, the customer's OAuth
 * applications, webhook policy, app webhook and automation rule copies, then queues
 * app_instance.create and one app_instance.secrets-update per block in the chosen order.
 */
export async function install(deps: LifecycleDeps, input: InstallInput): Promise<LifecycleResult> {
  const { state } = deps;
  const offering = findInstallableOffering(state, input.offeringReference);
  if (!offering) {
    throw new SimError(
      'SIM_NOT_FOUND',
      `App offering '${input.offeringReference}' not found; create it with appOfferingCreate or control createOffering.`,
    );
  }
  const customer = ensureCustomerAccount(state, input.customer);
  if (findInstance(state, customer.id, offering.reference)) {
    throw new SimError(
      'SIM_CONFLICT',
      `Customer '${customer.id}' already has '${offering.reference}' installed; use update or uninstall.`,
    );
  }
  const person = requirePerson(state, customer.personId);
  const now = state.now();
  const instance: AppInstanceRecord = {
    id: state.nextId('AppInstance'),
    accountId: state.providerAccountId,
    appOfferingId: offering.id,
    customerAccountId: customer.id,
    customerRepresentativeId: person.id,
    customFields: normalizeCustomFields(input.customFields),
    disabled: false,
    enabledByCustomer: input.enabledByCustomer ?? true,
    suspended: false,
    suspensionComment: null,
    webhookId: null,
    webhookPolicyId: null,
    oauthApplicationIds: [],
    customerRuleIds: new Map(),
    secrets: { ...(input.secrets ?? {}) },
    createdAt: now,
    updatedAt: now,
  };
  state.appInstances.set(instance.id, instance);

  const applications = createCustomerApplications(state, instance, offering);
  const policy = offering.policyJwtAlg
    ? await createWebhookPolicy(state, customer.id, {
        jwtAlg: offering.policyJwtAlg,
        jwtAudience: offering.policyJwtAudience,
        jwtClaimExpiresIn: offering.policyJwtClaimExpiresIn,
      })
    : undefined;
  instance.webhookPolicyId = policy?.id ?? null;
  copyAutomationRules(state, instance, offering);

  const secretsBlocks: Record<Exclude<InstallPart, 'create'>, Record<string, unknown> | undefined> = {
    application: applications.client_credentials && applicationBlock(state, applications.client_credentials),
    authorization_application: applications.authorization_code && applicationBlock(state, applications.authorization_code),
    policy: policy && {
      nodeID: state.nodeId('WebhookPolicy', policy.id),
      audience: policy.jwtAudience,
      algorithm: policy.jwtAlg.toUpperCase(),
      public_key: policy.publicKeyPem,
    },
    secrets: Object.keys(instance.secrets).length > 0 ? { ...instance.secrets } : undefined,
  };

  const callIds: number[] = [];
  for (const part of installOrder(input.order)) {
    if (part === 'create') {
      callIds.push(...emitInstanceEvent(deps, instance, offering, 'app_instance.create', false));
      continue;
    }
    const block = secretsBlocks[part];
    if (block !== undefined) callIds.push(...emitSecretsUpdate(deps, instance, offering, { [part]: block }));
  }

  // The app webhook is created last, so its webhook.verify arrives after the policy that signs it.
  if (offering.webhookUriTemplate) {
    const webhook = createWebhook(state, deps.sender, customer.id, person, {
      event: 'automation_rule',
      uri: offering.webhookUriTemplate.replaceAll('{account}', encodeURIComponent(customer.id)),
      name: offering.name,
      webhookPolicyId: policy?.id ?? null,
    });
    instance.webhookId = webhook.id;
  }
  applyInstanceActivity(state, instance);
  return { appInstanceId: instance.id, callIds };
}

/** Changes an instance as a customer or provider would and sends app_instance.update, then a secrets-update with the changed secrets. */
export function update(deps: LifecycleDeps, input: UpdateInput): LifecycleResult {
  const { state } = deps;
  const instance = requireInstance(state, input.customer, input.offeringReference);
  let offering = requireOffering(state, instance.appOfferingId);
  let upgraded = false;
  if (input.upgrade) {
    const latest = findInstallableOffering(state, input.offeringReference);
    if (latest && latest.id !== offering.id) {
      instance.appOfferingId = latest.id;
      offering = latest;
      upgraded = true;
    }
  }
  if (input.customFields !== undefined) {
    instance.customFields = mergeCustomFields(instance.customFields, normalizeCustomFields(input.customFields));
  }
  if (input.disabled !== undefined) instance.disabled = input.disabled;
  if (input.suspended !== undefined) instance.suspended = input.suspended;
  if (input.suspensionComment !== undefined) instance.suspensionComment = input.suspensionComment;
  if (input.suspended === false && input.suspensionComment === undefined) instance.suspensionComment = null;
  if (input.enabledByCustomer !== undefined) instance.enabledByCustomer = input.enabledByCustomer;
  instance.updatedAt = state.now();
  applyInstanceActivity(state, instance);

  const callIds = emitInstanceEvent(deps, instance, offering, 'app_instance.update', upgraded);
  const changedSecrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.secrets ?? {})) {
    if (instance.secrets[key] !== value) changedSecrets[key] = value;
  }
  if (Object.keys(changedSecrets).length > 0) {
    Object.assign(instance.secrets, changedSecrets);
    callIds.push(...emitSecretsUpdate(deps, instance, offering, { secrets: changedSecrets }));
  }
  return { appInstanceId: instance.id, callIds };
}

/** Sends app_instance.delete, then removes the instance and everything install made in the customer account. */
export function uninstall(deps: LifecycleDeps, input: { customer: string; offeringReference: string }): LifecycleResult {
  const { state } = deps;
  const instance = requireInstance(state, input.customer, input.offeringReference);
  const offering = requireOffering(state, instance.appOfferingId);
  const callIds = emitInstanceEvent(deps, instance, offering, 'app_instance.delete', false);

  for (const applicationId of instance.oauthApplicationIds) deleteOauthApplication(state, applicationId);
  if (instance.webhookId !== null) state.webhooks.delete(instance.webhookId);
  if (instance.webhookPolicyId !== null) state.webhookPolicies.delete(instance.webhookPolicyId);
  for (const ruleId of instance.customerRuleIds.values()) state.automationRules.delete(ruleId);
  state.appInstances.delete(instance.id);
  return { appInstanceId: instance.id, callIds };
}

/**
 * Runs one of the offering's automation rules in the customer account: posts an
 * automation_rule delivery to the app webhook, signed with the customer's policy.
 */
export function fire(deps: LifecycleDeps, input: FireInput): LifecycleResult {
  const { state } = deps;
  const instance = requireInstance(state, input.customer, input.offeringReference);
  const offering = requireOffering(state, instance.appOfferingId);

  if (!isInstanceActive(instance)) {
    throw new SimError(
      'SIM_CONFLICT',
      `App instance of '${input.offeringReference}' for '${input.customer}' is disabled, suspended or not enabled by the customer; update it first.`,
    );
  }
  const webhook = instance.webhookId === null ? undefined : state.webhooks.get(instance.webhookId);
  if (!webhook) {
    throw new SimError('SIM_CONFLICT', `App offering '${input.offeringReference}' has no webhookUriTemplate, so there is no app webhook to call.`);
  }
  if (!webhook.verified) {
    throw new SimError(
      'SIM_CONFLICT',
      `App webhook ${webhook.id} of '${input.customer}' is not verified; the receiver must GET the webhook.verify callback first.`,
    );
  }

  const rule = pickRule(state, instance, input.rule);
  const payload: Record<string, unknown> = {};
  for (const expression of rule.expressions) payload[expression.name] = null;
  Object.assign(payload, input.payload ?? {}, {
    app_offering: offeringBlock(state, offering),
    customer_account_id: instance.customerAccountId,
  });

  const customer = state.accounts.get(instance.customerAccountId);
  const callId = sendToWebhook(state, deps.sender, webhook, {
    event: 'automation_rule',
    object: { type: 'AutomationRule', id: rule.id, collection: 'automation_rules', accountId: instance.customerAccountId },
    person: requirePerson(state, customer?.personId ?? instance.customerRepresentativeId),
    payload,
  });
  if (callId === null) {
    throw new SimError('SIM_CONFLICT', `App webhook ${webhook.id} is disabled; update the instance or the webhook to enable it.`);
  }
  return { appInstanceId: instance.id, callIds: [callId] };
}

export function requireInstance(state: SimulatorState, customer: string, reference: string): AppInstanceRecord {
  const instance = findInstance(state, customer, reference);
  if (!instance) {
    throw new SimError('SIM_NOT_FOUND', `No app instance of '${reference}' for customer '${customer}'; install it first.`);
  }
  return instance;
}

export function normalizeCustomFields(input: CustomFieldsInput | undefined): CustomFieldValue[] {
  if (input === undefined) return [];
  if (Array.isArray(input)) return input.map((field) => ({ id: field.id, value: field.value }));
  return Object.entries(input).map(([id, value]) => ({ id, value }));
}

function installOrder(order: InstallPart[] | undefined): InstallPart[] {
  const chosen = [...new Set(order ?? [])];
  return [...chosen, ...DEFAULT_INSTALL_ORDER.filter((part) => !chosen.includes(part))];
}

function createCustomerApplications(
  state: SimulatorState,
  instance: AppInstanceRecord,
  offering: OfferingRecord,
): Partial<Record<GrantType, ReturnType<typeof createOauthApplication>>> {
  const applications: Partial<Record<GrantType, ReturnType<typeof createOauthApplication>>> = {};
  for (const grantType of ['client_credentials', 'authorization_code'] as const) {
    const scopes = offering.scopes
      .filter((scope) => scope.grantType === grantType && scope.effect === 'allow')
      .flatMap((scope) => scope.actions);
    if (scopes.length === 0) continue;
    const application = createOauthApplication(state, {
      accountId: instance.customerAccountId,
      grantType,
      scopes,
      redirectUris: grantType === 'authorization_code' ? offering.oauthAuthorizationEndpoints : [],
      name: `${offering.name} (${grantType})`,
      appInstanceId: instance.id,
    });
    instance.oauthApplicationIds.push(application.id);
    applications[grantType] = application;
  }
  return applications;
}

function applicationBlock(state: SimulatorState, application: { id: number; clientId: string; clientSecret: string }): Record<string, unknown> {
  return {
    nodeID: state.nodeId('OauthApplication', application.id),
    client_id: application.clientId,
    client_secret: application.clientSecret,
  };
}

function copyAutomationRules(state: SimulatorState, instance: AppInstanceRecord, offering: OfferingRecord): void {
  for (const rule of rulesOf(state, offering.id)) {
    const copy: AutomationRuleRecord = {
      ...structuredClone(rule),
      id: state.nextId('AutomationRule'),
      accountId: instance.customerAccountId,
      appOfferingId: null,
      appInstanceId: instance.id,
    };
    state.automationRules.set(copy.id, copy);
    instance.customerRuleIds.set(rule.id, copy.id);
  }
}

function pickRule(state: SimulatorState, instance: AppInstanceRecord, name: string | undefined): AutomationRuleRecord {
  const rules = [...instance.customerRuleIds.values()]
    .map((id) => state.automationRules.get(id))
    .filter((rule): rule is AutomationRuleRecord => rule !== undefined);
  const rule = name === undefined ? rules[0] : rules.find((candidate) => candidate.name === name);
  if (!rule) {
    const names = rules.map((candidate) => `'${candidate.name}'`).join(', ') || '(none)';
    throw new SimError(
      'SIM_NOT_FOUND',
      name === undefined
        ? 'The app offering has no automation rules; add one with appOfferingAutomationRuleCreate.'
        : `Automation rule '${name}' not found on the app offering; rules: ${names}.`,
    );
  }
  return rule;
}

/** Sends app_instance.update for a change that a person of the provider account made with appInstanceUpdate. */
export function emitProviderInstanceUpdate(deps: LifecycleDeps, instance: AppInstanceRecord, person: PersonRecord): number[] {
  const offering = requireOffering(deps.state, instance.appOfferingId);
  const payload = instancePayload(deps.state, instance, offering, false);
  return emitProviderEvent(deps, instance, offering, 'app_instance.update', payload, person);
}

function emitInstanceEvent(
  deps: LifecycleDeps,
  instance: AppInstanceRecord,
  offering: OfferingRecord,
  event: string,
  updated: boolean,
): number[] {
  return emitProviderEvent(deps, instance, offering, event, instancePayload(deps.state, instance, offering, updated));
}

function emitSecretsUpdate(
  deps: LifecycleDeps,
  instance: AppInstanceRecord,
  offering: OfferingRecord,
  blocks: Record<string, unknown>,
): number[] {
  const { state } = deps;
  const auditLineId = state.nextId('AuditLine');
  return emitProviderEvent(deps, instance, offering, 'app_instance.secrets-update', {
    audit_line_id: auditLineId,
    audit_line_nodeID: state.nodeId('AuditLine', auditLineId),
    app_offering: offeringBlock(state, offering),
    customer_account_id: instance.customerAccountId,
    ...blocks,
  });
}

function emitProviderEvent(
  deps: LifecycleDeps,
  instance: AppInstanceRecord,
  offering: OfferingRecord,
  event: string,
  payload: Record<string, unknown>,
  person?: PersonRecord,
): number[] {
  const { state, sender } = deps;
  const input: EventInput = {
    event,
    object: { type: 'AppInstance', id: instance.id, collection: 'app_instances', accountId: instance.accountId },
    person: person ?? requirePerson(state, instance.customerRepresentativeId),
    payload,
  };
  return emitAccountEvent(state, sender, instance.accountId, input, { appOfferingReference: offering.reference });
}

function requireOffering(state: SimulatorState, id: number): OfferingRecord {
  const offering = state.offerings.get(id);
  if (!offering) throw new SimError('SIM_NOT_FOUND', `App offering ${id} of the instance no longer exists.`);
  return offering;
}

function requirePerson(state: SimulatorState, id: number): PersonRecord {
  const person = state.people.get(id);
  if (!person) throw new SimError('SIM_NOT_FOUND', `Person ${id} not found.`);
  return person;
}
