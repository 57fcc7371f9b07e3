import { RecordNotFound, ValidationFailed } from './domain-errors.js';
import type { ValidationIssue } from './domain-errors.js';
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from './signing.js';
import type {
  AttachmentReference,
  AutomationRuleRecord,
  GrantType,
  OfferingRecord,
  OfferingScopeRecord,
  RuleExpression,
  ServiceInstanceRecord,
  SimulatorState,
} from './state.js';
import { findOwned } from './webhooks.js';

export interface OfferingScopeInput {
  id?: number | null;
  effect?: string | null;
  grantType?: string | null;
  actions?: string[] | null;
  conditions?: string[] | null;
}

export interface OfferingInput {
  name?: string | null;
  reference?: string | null;
  serviceInstanceId?: number | null;
  cardDescription?: string | null;
  description?: string | null;
  features?: string | null;
  compliance?: string | null;
  descriptionAttachments?: AttachmentReference[] | null;
  featuresAttachments?: AttachmentReference[] | null;
  complianceAttachments?: AttachmentReference[] | null;
  disabled?: boolean | null;
  pictureUri?: string | null;
  webhookUriTemplate?: string | null;
  configurationUriTemplate?: string | null;
  oauthAuthorizationEndpoints?: string[] | null;
  policyJwtAlg?: string | null;
  policyJwtAudience?: string | null;
  policyJwtClaimExpiresIn?: number | null;
  openidConnectDiscovery?: boolean | null;
  requiresEnabledOauthPerson?: boolean | null;
  newScopes?: OfferingScopeInput[] | null;
  scopesToDelete?: number[] | null;
  uiExtensionId?: number | null;
  uiExtensionVersionId?: number | null;
  source?: string | null;
  sourceID?: string | null;
}

export interface AutomationRuleInput {
  name?: string | null;
  description?: string | null;
  generic?: string | null;
  trigger?: string | null;
  condition?: string | null;
  expressions?: RuleExpression[] | null;
  actions?: RuleExpression[] | null;
  position?: number | null;
}

export function createServiceInstance(state: SimulatorState, accountId: string, name: string): ServiceInstanceRecord {
  const now = state.now();
  const record: ServiceInstanceRecord = {
    id: state.nextId('ServiceInstance'),
    accountId,
    name,
    source: null,
    sourceID: null,
    createdAt: now,
    updatedAt: now,
  };
  state.serviceInstances.set(record.id, record);
  return record;
}

/** Creates the draft version of an offering. */
export function createOffering(state: SimulatorState, accountId: string, input: OfferingInput & { name: string }): OfferingRecord {
  const reference = input.reference ?? defaultReference(accountId, input.name);
  const issues = validateOffering(state, accountId, input);
  if (findDraft(state, reference)) {
    issues.push({ path: ['reference'], message: `has already been taken: ${reference}` });
  }
  if (issues.length > 0) throw new ValidationFailed(issues);

  const now = state.now();
  const offering: OfferingRecord = {
    id: state.nextId('AppOffering'),
    accountId,
    name: input.name,
    reference,
    cardDescription: null,
    description: null,
    features: null,
    compliance: null,
    descriptionAttachments: [],
    featuresAttachments: [],
    complianceAttachments: [],
    pictureUri: null,
    disabled: false,
    published: false,
    latest: true,
    serviceInstanceId: null,
    webhookUriTemplate: null,
    configurationUriTemplate: null,
    oauthAuthorizationEndpoints: [],
    policyJwtAlg: null,
    policyJwtAudience: null,
    policyJwtClaimExpiresIn: null,
    openidConnectDiscovery: false,
    requiresEnabledOauthPerson: false,
    scopes: [],
    uiExtensionId: null,
    uiExtensionVersionId: null,
    draftId: null,
    source: null,
    sourceID: null,
    createdAt: now,
    updatedAt: now,
  };
  applyOfferingInput(state, offering, input);
  state.offerings.set(offering.id, offering);
  return offering;
}

/** Updates the draft; `reference` cannot change once a version was published. */
export function updateOffering(state: SimulatorState, accountId: string, id: number, input: OfferingInput): OfferingRecord {
  const offering = findOwned(state.offerings, accountId, id, 'AppOffering');
  const issues = validateOffering(state, accountId, input);
  if (input.reference !== undefined && input.reference !== null && input.reference !== offering.reference) {
    if (publishedVersions(state, offering).length > 0) {
      issues.push({ path: ['reference'], message: 'cannot be changed after the app offering was published' });
    } else if (findDraft(state, input.reference)) {
      issues.push({ path: ['reference'], message: `has already been taken: ${input.reference}` });
    }
  }
  for (const scopeId of input.scopesToDelete ?? []) {
    if (!offering.scopes.some((scope) => scope.id === scopeId)) {
      issues.push({ path: ['scopesToDelete'], message: `does not name a scope of this app offering: ${scopeId}` });
    }
  }
  if (issues.length > 0) throw new ValidationFailed(issues);
  if (input.reference !== undefined && input.reference !== null) offering.reference = input.reference;
  applyOfferingInput(state, offering, input);
  offering.updatedAt = state.now();
  return offering;
}

/** Publishes the draft as a new version, which becomes the latest published one; returns that version. */
export function publishOffering(state: SimulatorState, accountId: string, id: number): OfferingRecord {
  const draft = findOwned(state.offerings, accountId, id, 'AppOffering');
  if (draft.published) {
    throw new ValidationFailed([{ path: ['id'], message: 'names a published version; publish the draft (published: false) instead' }]);
  }
  for (const version of publishedVersions(state, draft)) version.latest = false;
  const now = state.now();
  const version: OfferingRecord = {
    ...structuredClone({ ...draft }),
    id: state.nextId('AppOffering'),
    published: true,
    latest: true,
    draftId: draft.id,
    createdAt: now,
    updatedAt: now,
  };
  state.offerings.set(version.id, version);
  for (const rule of rulesOf(state, draft.id)) {
    const copy: AutomationRuleRecord = { ...structuredClone(rule), id: state.nextId('AutomationRule'), appOfferingId: version.id };
    state.automationRules.set(copy.id, copy);
  }
  return version;
}

/** The offering version a new install gets: the latest published one, else the draft. */
export function findInstallableOffering(state: SimulatorState, reference: string): OfferingRecord | undefined {
  const draft = findDraft(state, reference);
  if (!draft) return undefined;
  return publishedVersions(state, draft).find((version) => version.latest) ?? draft;
}

export function findDraft(state: SimulatorState, reference: string): OfferingRecord | undefined {
  for (const offering of state.offerings.values()) {
    if (!offering.published && offering.reference === reference) return offering;
  }
  return undefined;
}

export function rulesOf(state: SimulatorState, offeringId: number): AutomationRuleRecord[] {
  return [...state.automationRules.values()]
    .filter((rule) => rule.appOfferingId === offeringId)
    .sort((a, b) => (a.position ?? a.id) - (b.position ?? b.id));
}

export function createAutomationRule(
  state: SimulatorState,
  accountId: string,
  offeringId: number,
  input: AutomationRuleInput & { name: string; trigger: string; condition: string },
): AutomationRuleRecord {
  const offering = state.offerings.get(offeringId);
  if (!offering || offering.accountId !== accountId) {
    throw new ValidationFailed([{ path: ['appOfferingId'], message: 'does not name an app offering of this account' }]);
  }
  const now = state.now();
  const rule: AutomationRuleRecord = {
    id: state.nextId('AutomationRule'),
    accountId,
    appOfferingId: offeringId,
    appInstanceId: null,
    name: input.name,
    description: input.description ?? null,
    generic: input.generic ?? null,
    trigger: input.trigger,
    condition: input.condition,
    expressions: input.expressions ?? [],
    actions: input.actions ?? [],
    position: input.position ?? null,
    createdAt: now,
    updatedAt: now,
  };
  state.automationRules.set(rule.id, rule);
  return rule;
}

export function updateAutomationRule(
  state: SimulatorState,
  accountId: string,
  id: number,
  input: AutomationRuleInput,
): AutomationRuleRecord {
  const rule = findOfferingRule(state, accountId, id);
  if (input.name != null) rule.name = input.name;
  if (input.description !== undefined) rule.description = input.description;
  if (input.generic !== undefined) rule.generic = input.generic;
  if (input.trigger != null) rule.trigger = input.trigger;
  if (input.condition != null) rule.condition = input.condition;
  if (input.expressions != null) rule.expressions = input.expressions;
  if (input.actions != null) rule.actions = input.actions;
  if (input.position !== undefined) rule.position = input.position;
  rule.updatedAt = state.now();
  return rule;
}

export function deleteAutomationRule(state: SimulatorState, accountId: string, id: number): void {
  findOfferingRule(state, accountId, id);
  state.automationRules.delete(id);
}

function findOfferingRule(state: SimulatorState, accountId: string, id: number): AutomationRuleRecord {
  const rule = state.automationRules.get(id);
  if (!rule || rule.accountId !== accountId || rule.appOfferingId === null) {
    throw new RecordNotFound('AppOfferingAutomationRule', id);
  }
  return rule;
}

function publishedVersions(state: SimulatorState, draft: OfferingRecord): OfferingRecord[] {
  return [...state.offerings.values()].filter((offering) => offering.draftId === draft.id);
}

function applyOfferingInput(state: SimulatorState, offering: OfferingRecord, input: OfferingInput): void {
  const assignIfGiven = <K extends keyof OfferingRecord>(key: K, value: OfferingRecord[K] | undefined): void => {
    if (value !== undefined) offering[key] = value;
  };
  if (input.name != null) offering.name = input.name;
  assignIfGiven('cardDescription', input.cardDescription);
  assignIfGiven('description', input.description);
  assignIfGiven('features', input.features);
  assignIfGiven('compliance', input.compliance);
  if (input.descriptionAttachments != null) offering.descriptionAttachments = input.descriptionAttachments;
  if (input.featuresAttachments != null) offering.featuresAttachments = input.featuresAttachments;
  if (input.complianceAttachments != null) offering.complianceAttachments = input.complianceAttachments;
  if (input.disabled != null) offering.disabled = input.disabled;
  assignIfGiven('pictureUri', input.pictureUri);
  assignIfGiven('serviceInstanceId', input.serviceInstanceId);
  assignIfGiven('webhookUriTemplate', input.webhookUriTemplate);
  assignIfGiven('configurationUriTemplate', input.configurationUriTemplate);
  if (input.oauthAuthorizationEndpoints !== undefined) offering.oauthAuthorizationEndpoints = input.oauthAuthorizationEndpoints ?? [];
  assignIfGiven('policyJwtAlg', input.policyJwtAlg?.toLowerCase() ?? input.policyJwtAlg);
  assignIfGiven('policyJwtAudience', input.policyJwtAudience);
  assignIfGiven('policyJwtClaimExpiresIn', input.policyJwtClaimExpiresIn);
  if (input.openidConnectDiscovery != null) offering.openidConnectDiscovery = input.openidConnectDiscovery;
  if (input.requiresEnabledOauthPerson != null) offering.requiresEnabledOauthPerson = input.requiresEnabledOauthPerson;
  assignIfGiven('uiExtensionId', input.uiExtensionId);
  assignIfGiven('uiExtensionVersionId', input.uiExtensionVersionId);
  assignIfGiven('source', input.source);
  assignIfGiven('sourceID', input.sourceID);

  const deleted = new Set(input.scopesToDelete ?? []);
  offering.scopes = offering.scopes.filter((scope) => !deleted.has(scope.id));
  for (const scopeInput of input.newScopes ?? []) {
    const existing = scopeInput.id == null ? undefined : offering.scopes.find((scope) => scope.id === scopeInput.id);
    if (existing) {
      if (scopeInput.effect != null) existing.effect = scopeInput.effect;
      if (scopeInput.grantType != null) existing.grantType = scopeInput.grantType as GrantType;
      if (scopeInput.actions != null) existing.actions = scopeInput.actions;
      if (scopeInput.conditions != null) existing.conditions = scopeInput.conditions;
      continue;
    }
    const scope: OfferingScopeRecord = {
      id: state.nextId('AppOfferingScope'),
      effect: scopeInput.effect ?? 'allow',
      grantType: (scopeInput.grantType ?? 'client_credentials') as GrantType,
      actions: scopeInput.actions ?? [],
      conditions: scopeInput.conditions ?? [],
    };
    offering.scopes.push(scope);
  }
}

function validateOffering(state: SimulatorState, accountId: string, input: OfferingInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (input.policyJwtAlg != null && !isSigningAlgorithm(input.policyJwtAlg.toLowerCase())) {
    issues.push({
      path: ['policyJwtAlg'],
      message: `is not allowed for app offerings: ${input.policyJwtAlg}. Use one of ${SIGNING_ALGORITHMS.join(', ')}.`,
    });
  }
  if (input.serviceInstanceId != null) {
    const serviceInstance = state.serviceInstances.get(input.serviceInstanceId);
    if (!serviceInstance || serviceInstance.accountId !== accountId) {
      issues.push({ path: ['serviceInstanceId'], message: 'does not name a service instance of this account' });
    }
  }
  for (const [field, template] of [
    ['webhookUriTemplate', input.webhookUriTemplate],
    ['configurationUriTemplate', input.configurationUriTemplate],
  ] as const) {
    if (template != null && template !== '' && !isUrlTemplate(template)) {
      issues.push({ path: [field], message: `is invalid: ${template}. Use an absolute http or https URL; {account} is replaced by the customer account id.` });
    }
  }
  for (const scope of input.newScopes ?? []) {
    if (scope.grantType != null && scope.grantType !== 'client_credentials' && scope.grantType !== 'authorization_code') {
      issues.push({ path: ['newScopes', 'grantType'], message: `is not supported: ${scope.grantType}` });
    }
  }
  return issues;
}

function isUrlTemplate(template: string): boolean {
  try {
    const url = new URL(template.replaceAll('{account}', 'account'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function defaultReference(accountId: string, name: string): string {
  const snake = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${accountId}_${snake}`;
}
