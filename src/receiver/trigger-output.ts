import { RejectionError } from '../errors.js';
import type { WebhookData } from './verification/webhook-data.js';
import type { AppOfferingInfo, CustomerRepresentative, WebhookInfo } from '../solution/outputs.js';
import type { DeliveryHeaders } from './delivery-headers.js';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

export function webhookInfo(data: WebhookData, headers: DeliveryHeaders): WebhookInfo {
  return withoutUndefined({
    event: data.event,
    delivery: headers.delivery,
    deliveryOrigin: headers.deliveryOrigin,
    person: withoutUndefined({
      id: optionalNumber(data.person_id),
      nodeId: optionalString(data.person_nodeID),
      name: optionalString(data.person_name),
    }),
  });
}

/** Reads `app_offering`, or `integration` from deliveries sent before Xurrent renamed integrations to apps. */
export function appOfferingInfo(payload: Json): AppOfferingInfo | undefined {
  const offering = asObject(payload.app_offering) ?? asObject(payload.integration);
  const reference = optionalString(offering?.reference);
  if (!offering || !reference) return undefined;
  return withoutUndefined({
    reference,
    id: optionalNumber(offering.id),
    nodeId: optionalString(offering.nodeID),
    updated: typeof offering.updated === 'boolean' ? offering.updated : undefined,
  });
}

/**
 * Reads the app offering and customer account of a provider delivery about an app instance.
 * Rejects the delivery with XAC_PAYLOAD_INVALID when either is missing.
 */
export function appInstanceOf(data: WebhookData, headers: DeliveryHeaders): { offering: AppOfferingInfo; customerAccountId: string } {
  const offering = appOfferingInfo(data.payload);
  const customerAccountId = optionalString(data.payload.customer_account_id);
  if (!offering || !customerAccountId) {
    throw new RejectionError(
      'XAC_PAYLOAD_INVALID',
      `${data.event} delivery ${headers.delivery} lacks payload.app_offering.reference or payload.customer_account_id`,
      422,
    );
  }
  return { offering, customerAccountId };
}

export function customerRepresentative(payload: Json): CustomerRepresentative | undefined {
  const person = asObject(payload.customer_representative);
  if (!person) return undefined;
  const account = asObject(person.account);
  return withoutUndefined({
    id: optionalNumber(person.id),
    nodeId: optionalString(person.nodeID),
    name: optionalString(person.name),
    disabled: typeof person.disabled === 'boolean' ? person.disabled : undefined,
    sourceId: optionalString(person.sourceID),
    account: account ? withoutUndefined({ id: optionalString(account.id), name: optionalString(account.name) }) : undefined,
  });
}

export function booleanField(payload: Json, key: string): boolean {
  return payload[key] === true;
}

export { asObject, optionalString };
