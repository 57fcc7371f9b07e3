import type { DeliverySender } from './deliveries.js';
import { randomAlphanumeric } from './ids.js';
import type { PersonRecord, SimulatorState, WebhookRecord } from './state.js';

/** Lifetime of a webhook.verify callback URL: 24 hours, as in Xurrent's samples. */
const VERIFICATION_LIFETIME_SECONDS = 86_400;

/** The record an event is about: the `object_*` fields of the data and the `Link` header. */
export interface EventObject {
  /** nodeID type, e.g. `AppInstance`. */
  type: string;
  id: number;
  /** REST collection, e.g. `app_instances`. */
  collection: string;
  /** Account whose URL the canonical link uses. */
  accountId: string;
}

export interface EventInput {
  event: string;
  object: EventObject;
  person: PersonRecord;
  payload: Record<string, unknown>;
}

/** Builds the data object of a delivery: the plain body, or the JWT `data` claim under a policy. */
export function buildEventData(
  state: SimulatorState,
  webhook: WebhookRecord,
  input: EventInput,
): Record<string, unknown> {
  return {
    webhook_id: webhook.id,
    webhook_nodeID: state.nodeId('Webhook', webhook.id),
    account_id: webhook.accountId,
    account: state.accountUrl(webhook.accountId),
    name: webhook.name,
    event: input.event,
    object_id: input.object.id,
    object_nodeID: state.nodeId(input.object.type, input.object.id),
    person_id: input.person.id,
    person_nodeID: state.nodeId('Person', input.person.id),
    person_name: input.person.name,
    payload: input.payload,
  };
}

/** `Link` header with the canonical (UI) and resource (REST API) URLs of the event's object. */
export function buildLinkHeader(state: SimulatorState, object: EventObject): string {
  const canonical = `${state.accountUrl(object.accountId)}/${object.collection}/${object.id}`;
  const resource = `${state.baseUrl}/v1/${object.collection}/${object.id}`;
  return `<${canonical}>; rel="canonical", <${resource}>; rel="resource"`;
}

/** Sends an event to one webhook, unless the webhook is disabled or not verified yet. Returns the call id. */
export function sendToWebhook(
  state: SimulatorState,
  sender: DeliverySender,
  webhook: WebhookRecord,
  input: EventInput,
): number | null {
  const isVerification = input.event === 'webhook.verify';
  if (webhook.disabled || (!webhook.verified && !isVerification)) return null;
  return sender.send({
    webhookId: webhook.id,
    event: input.event,
    data: buildEventData(state, webhook, input),
    link: buildLinkHeader(state, input.object),
  });
}

/**
 * Sends an event to every active webhook of the account that is registered for it. App events
 * go only to webhooks whose `appOfferingReferences` is empty or lists the offering.
 * Returns the call ids.
 */
export function emitAccountEvent(
  state: SimulatorState,
  sender: DeliverySender,
  accountId: string,
  input: EventInput,
  options: { appOfferingReference?: string } = {},
): number[] {
  const callIds: number[] = [];
  for (const webhook of state.webhooks.values()) {
    if (webhook.accountId !== accountId || webhook.event !== input.event) continue;
    const reference = options.appOfferingReference;
    if (reference !== undefined && webhook.appOfferingReferences.length > 0 && !webhook.appOfferingReferences.includes(reference)) {
      continue;
    }
    const callId = sendToWebhook(state, sender, webhook, input);
    if (callId !== null) callIds.push(callId);
  }
  return callIds;
}

/** Marks a webhook unverified and sends it webhook.verify with a fresh callback URL. */
export function startVerification(
  state: SimulatorState,
  sender: DeliverySender,
  webhook: WebhookRecord,
  person: PersonRecord,
): number | null {
  const code = randomAlphanumeric(24);
  const expiresAt = Math.floor(state.now() / 1000) + VERIFICATION_LIFETIME_SECONDS;
  webhook.verified = false;
  webhook.verification = { code, expiresAt };
  const callback = `${state.accountUrl(webhook.accountId)}/webhooks/${webhook.id}/verify?code=${code}&expires_at=${expiresAt}`;
  return sendToWebhook(state, sender, webhook, {
    event: 'webhook.verify',
    object: { type: 'Webhook', id: webhook.id, collection: 'webhooks', accountId: webhook.accountId },
    person,
    payload: { callback },
  });
}
