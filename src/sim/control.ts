import type { Logger } from 'pino';
import type { z } from 'zod';
import { createAccount, createOauthApplication, requireAccount } from './accounts.js';
import { controlSchemas } from './control-schemas.js';
import type { ControlInput, ControlSchemas } from './control-schemas.js';
import { matchesFilter } from './deliveries.js';
import type { DeliveryAttempt, DeliveryFilter, DeliveryPredicate, DeliverySender } from './deliveries.js';
import { RecordNotFound, ValidationFailed } from './domain-errors.js';
import { SimError } from './errors.js';
import { emitAccountEvent } from './events.js';
import type { FaultRegistry, FaultRule } from './faults.js';
import * as lifecycle from './lifecycle.js';
import type { LifecycleResult } from './lifecycle.js';
import { createAutomationRule, createOffering, createServiceInstance, publishOffering } from './offerings.js';
import type { RateLimitSettings } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import type { SimulatorState } from './state.js';
import {
  accountView,
  appInstanceView,
  oauthApplicationView,
  offeringView,
  webhookPolicyView,
  webhookView,
} from './views.js';
import type {
  AccountView,
  AppInstanceView,
  OauthApplicationView,
  OfferingView,
  WebhookPolicyView,
  WebhookView,
} from './views.js';
import { createWebhook, createWebhookPolicy } from './webhooks.js';

export const DEFAULT_WAIT_TIMEOUT_MS = 5000;

export interface ControlDeps {
  state: SimulatorState;
  sender: DeliverySender;
  faults: FaultRegistry;
  rateLimiter: RateLimiter;
  logger: Logger;
}

/**
 * Typed control of a running simulator: seeds records, drives the app lifecycle, arms
 * faults and reads the delivery log. Every method takes one JSON argument, so the HTTP
 * control API under `/_sim/<method>` offers the same operations.
 */
export class SimulatorControl {
  constructor(private readonly deps: ControlDeps) {}

  async createCustomerAccount(input: ControlInput<'createCustomerAccount'>): Promise<AccountView> {
    const args = parse('createCustomerAccount', input);
    const account = createAccount(this.deps.state, { id: args.id, name: args.name, role: 'customer' });
    return accountView(this.deps.state, account);
  }

  async accounts(): Promise<AccountView[]> {
    return [...this.deps.state.accounts.values()].map((account) => accountView(this.deps.state, account));
  }

  /** Creates an OAuth application (e.g. the provider's) and returns its client id and secret. */
  async createOauthApplication(input: ControlInput<'createOauthApplication'>): Promise<OauthApplicationView> {
    const args = parse('createOauthApplication', input);
    const application = createOauthApplication(this.deps.state, {
      accountId: args.account,
      grantType: args.grantType,
      scopes: args.scopes,
      redirectUris: args.redirectUris,
      name: args.name,
    });
    return oauthApplicationView(this.deps.state, application);
  }

  /** Number of POST /oauth/token requests, for one client id or in total. */
  async tokenRequestCount(input: ControlInput<'tokenRequestCount'> = {}): Promise<number> {
    const args = parse('tokenRequestCount', input);
    const { state } = this.deps;
    return args.clientId === undefined ? state.tokenRequestTotal : (state.tokenRequests.get(args.clientId) ?? 0);
  }

  /** Sets the lifetime of tokens issued from now on. */
  async setTokenLifetime(input: ControlInput<'setTokenLifetime'>): Promise<void> {
    this.deps.state.tokenLifetimeSeconds = parse('setTokenLifetime', input).seconds;
  }

  async setRateLimits(input: ControlInput<'setRateLimits'>): Promise<RateLimitSettings> {
    const args = parse('setRateLimits', input);
    const { state } = this.deps;
    state.rateLimits = {
      burstRequests: args.burstRequests ?? state.rateLimits.burstRequests,
      hourlyRequests: args.hourlyRequests ?? state.rateLimits.hourlyRequests,
      hourlyCost: args.hourlyCost ?? state.rateLimits.hourlyCost,
    };
    return { ...state.rateLimits };
  }

  /** Forgets every token's usage, so all limits start afresh. */
  async resetRateLimits(): Promise<void> {
    this.deps.rateLimiter.reset();
  }

  async setRetrySpeedFactor(input: ControlInput<'setRetrySpeedFactor'>): Promise<void> {
    this.deps.sender.retrySpeedFactor = parse('setRetrySpeedFactor', input).factor;
  }

  /** Sets the delay before results of async queries created from now on are ready. */
  async setAsyncResultDelay(input: ControlInput<'setAsyncResultDelay'>): Promise<void> {
    this.deps.state.asyncResultDelayMs = parse('setAsyncResultDelay', input).ms;
  }

  /** Makes the results of all pending async queries ready now. */
  async completeAsyncQueries(): Promise<void> {
    const now = this.deps.state.now();
    for (const query of this.deps.state.asyncQueries.values()) query.readyAt = Math.min(query.readyAt, now);
  }

  async createServiceInstance(input: ControlInput<'createServiceInstance'>): Promise<{ id: number; nodeId: string; name: string }> {
    const args = parse('createServiceInstance', input);
    const { state } = this.deps;
    const accountId = args.account ?? state.providerAccountId;
    requireAccount(state, accountId);
    const record = createServiceInstance(state, accountId, args.name);
    return { id: record.id, nodeId: state.nodeId('ServiceInstance', record.id), name: record.name };
  }

  /** Seeds an app offering in the provider account without GraphQL; publishes it when `published` is true. */
  async createOffering(input: ControlInput<'createOffering'>): Promise<OfferingView> {
    const args = parse('createOffering', input);
    const { state } = this.deps;
    const accountId = state.providerAccountId;
    return domainCall(() => {
      const draft = createOffering(state, accountId, {
        name: args.name ?? args.reference,
        reference: args.reference,
        serviceInstanceId: args.serviceInstanceId ?? firstServiceInstanceId(state, accountId),
        webhookUriTemplate: args.webhookUriTemplate,
        configurationUriTemplate: args.configurationUriTemplate,
        oauthAuthorizationEndpoints: args.oauthAuthorizationEndpoints,
        policyJwtAlg: args.policyJwtAlg,
        policyJwtAudience: args.policyJwtAudience,
        policyJwtClaimExpiresIn: args.policyJwtClaimExpiresIn,
        newScopes: args.scopes?.map((scope) => ({ ...scope })),
      });
      for (const rule of args.automationRules ?? []) {
        createAutomationRule(state, accountId, draft.id, {
          ...rule,
          trigger: rule.trigger ?? 'on create',
          condition: rule.condition ?? 'true',
        });
      }
      return offeringView(state, args.published ? publishOffering(state, accountId, draft.id) : draft);
    });
  }

  /** Creates a webhook policy; its public key stays readable through webhookPolicy(). */
  async createWebhookPolicy(input: ControlInput<'createWebhookPolicy'>): Promise<WebhookPolicyView> {
    const args = parse('createWebhookPolicy', input);
    const { state } = this.deps;
    const accountId = args.account ?? state.providerAccountId;
    requireAccount(state, accountId);
    const policy = await domainCallAsync(() => createWebhookPolicy(state, accountId, args));
    return webhookPolicyView(state, policy);
  }

  async webhookPolicy(input: ControlInput<'webhookPolicy'>): Promise<WebhookPolicyView> {
    const { id } = parse('webhookPolicy', input);
    const policy = this.deps.state.webhookPolicies.get(id);
    if (!policy) throw new SimError('SIM_NOT_FOUND', `Webhook policy ${id} not found.`);
    return webhookPolicyView(this.deps.state, policy);
  }

  /** Creates a webhook, which gets webhook.verify unless `verified: true` activates it at once. */
  async createWebhook(input: ControlInput<'createWebhook'>): Promise<WebhookView> {
    const args = parse('createWebhook', input);
    const { state, sender } = this.deps;
    const account = requireAccount(state, args.account ?? state.providerAccountId);
    const person = state.people.get(account.personId);
    if (!person) throw new SimError('SIM_NOT_FOUND', `Person of account '${account.id}' not found.`);
    const webhook = domainCall(() =>
      createWebhook(state, sender, account.id, person, {
        event: args.event,
        uri: args.uri,
        name: args.name,
        webhookPolicyId: args.webhookPolicyId,
        appOfferingReferences: args.appOfferingReferences,
      }, { verified: args.verified }),
    );
    return webhookView(state, webhook);
  }

  /** Marks a webhook verified without its callback being called. */
  async verifyWebhook(input: ControlInput<'verifyWebhook'>): Promise<WebhookView> {
    const { id } = parse('verifyWebhook', input);
    const webhook = this.deps.state.webhooks.get(id);
    if (!webhook) throw new SimError('SIM_NOT_FOUND', `Webhook ${id} not found.`);
    webhook.verified = true;
    webhook.verification = null;
    return webhookView(this.deps.state, webhook);
  }

  async webhooks(input: ControlInput<'webhooks'> = {}): Promise<WebhookView[]> {
    const args = parse('webhooks', input);
    return [...this.deps.state.webhooks.values()]
      .filter((webhook) => args.account === undefined || webhook.accountId === args.account)
      .map((webhook) => webhookView(this.deps.state, webhook));
  }

  /** Sends an event to every active webhook of the account registered for it, e.g. `problem.update`. */
  async sendEvent(input: ControlInput<'sendEvent'>): Promise<{ callIds: number[] }> {
    const args = parse('sendEvent', input);
    const { state, sender } = this.deps;
    const account = requireAccount(state, args.account ?? state.providerAccountId);
    const person = state.people.get(account.personId);
    if (!person) throw new SimError('SIM_NOT_FOUND', `Person of account '${account.id}' not found.`);
    const model = args.event.split('.')[0] ?? args.event;
    const type = model.replace(/(^|_)([a-z])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
    const callIds = emitAccountEvent(
      state,
      sender,
      account.id,
      {
        event: args.event,
        object: { type, id: state.nextId(type), collection: `${model}s`, accountId: account.id },
        person,
        payload: args.payload ?? {},
      },
      { appOfferingReference: args.appOfferingReference },
    );
    return { callIds };
  }

  async install(input: ControlInput<'install'>): Promise<LifecycleResult> {
    return lifecycle.install(this.deps, parse('install', input));
  }

  async update(input: ControlInput<'update'>): Promise<LifecycleResult> {
    return lifecycle.update(this.deps, parse('update', input));
  }

  async suspend(input: ControlInput<'suspend'>): Promise<LifecycleResult> {
    const args = parse('suspend', input);
    return lifecycle.update(this.deps, {
      customer: args.customer,
      offeringReference: args.offeringReference,
      suspended: true,
      suspensionComment: args.comment ?? null,
    });
  }

  async disable(input: ControlInput<'disable'>): Promise<LifecycleResult> {
    const args = parse('disable', input);
    return lifecycle.update(this.deps, { ...args, disabled: true });
  }

  async uninstall(input: ControlInput<'uninstall'>): Promise<LifecycleResult> {
    return lifecycle.uninstall(this.deps, parse('uninstall', input));
  }

  /** Runs an automation rule of the installed offering (the first one unless `rule` names one). */
  async fire(input: ControlInput<'fire'>): Promise<LifecycleResult> {
    return lifecycle.fire(this.deps, parse('fire', input));
  }

  async appInstance(input: ControlInput<'appInstance'>): Promise<AppInstanceView> {
    const args = parse('appInstance', input);
    const instance = lifecycle.requireInstance(this.deps.state, args.customer, args.offeringReference);
    return appInstanceView(this.deps.state, instance);
  }

  /** Recorded delivery attempts, oldest first. */
  async deliveries(filter: DeliveryFilter = {}): Promise<DeliveryAttempt[]> {
    return this.deps.sender.list(parse('deliveries', filter));
  }

  /** Resolves with the first attempt that matches, already recorded or to come. */
  async waitForDelivery(
    match: DeliveryFilter | DeliveryPredicate,
    timeoutMs: number = DEFAULT_WAIT_TIMEOUT_MS,
  ): Promise<DeliveryAttempt> {
    const predicate: DeliveryPredicate =
      typeof match === 'function' ? match : (attempt) => matchesFilter(attempt, parse('deliveries', match));
    return this.deps.sender.waitFor(predicate, timeoutMs);
  }

  async clearDeliveries(): Promise<void> {
    this.deps.sender.clear();
  }

  async addFault(rule: FaultRule): Promise<{ id: number }> {
    return this.deps.faults.add(parse('addFault', rule));
  }

  async clearFaults(): Promise<void> {
    this.deps.faults.clear();
  }

  async faults(): Promise<ReturnType<FaultRegistry['list']>> {
    return this.deps.faults.list();
  }
}

/** Names of the control methods callable over HTTP as `POST /_sim/<name>`. */
export const CONTROL_METHODS = [
  'createCustomerAccount',
  'accounts',
  'createOauthApplication',
  'tokenRequestCount',
  'setTokenLifetime',
  'setRateLimits',
  'resetRateLimits',
  'setRetrySpeedFactor',
  'setAsyncResultDelay',
  'completeAsyncQueries',
  'createServiceInstance',
  'createOffering',
  'createWebhookPolicy',
  'webhookPolicy',
  'createWebhook',
  'verifyWebhook',
  'webhooks',
  'sendEvent',
  'install',
  'update',
  'suspend',
  'disable',
  'uninstall',
  'fire',
  'appInstance',
  'deliveries',
  'waitForDelivery',
  'clearDeliveries',
  'addFault',
  'clearFaults',
  'faults',
] as const satisfies ReadonlyArray<keyof SimulatorControl>;

export type ControlMethod = (typeof CONTROL_METHODS)[number];

function parse<K extends keyof ControlSchemas>(name: K, input: unknown): z.output<ControlSchemas[K]> {
  const result = controlSchemas[name].safeParse(input ?? {});
  if (!result.success) {
    const details = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
      .join('; ');
    throw new SimError('SIM_INVALID_ARGUMENT', `Invalid input for ${name}: ${details}.`);
  }
  return result.data as z.output<ControlSchemas[K]>;
}

/** Runs a domain operation and turns its validation and not-found errors into SimErrors. */
function domainCall<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toSimError(error);
  }
}

async function domainCallAsync<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toSimError(error);
  }
}

function toSimError(error: unknown): unknown {
  if (error instanceof ValidationFailed) return new SimError('SIM_INVALID_ARGUMENT', error.message);
  if (error instanceof RecordNotFound) return new SimError('SIM_NOT_FOUND', error.message);
  return error;
}

function firstServiceInstanceId(state: SimulatorState, accountId: string): number | null {
  for (const serviceInstance of state.serviceInstances.values()) {
    if (serviceInstance.accountId === accountId) return serviceInstance.id;
  }
  return null;
}
