import type { AppInstanceRecord, CustomFieldValue, OfferingRecord, SimulatorState } from './state.js';

/** True when the instance's token, webhook and automation rules work in the customer account. */
export function isInstanceActive(instance: AppInstanceRecord): boolean {
  return instance.enabledByCustomer && !instance.disabled && !instance.suspended;
}

/** Enables or disables the customer's OAuth applications and app webhook to match the instance switches. */
export function applyInstanceActivity(state: SimulatorState, instance: AppInstanceRecord): void {
  const active = isInstanceActive(instance);
  for (const applicationId of instance.oauthApplicationIds) {
    const application = state.oauthApplications.get(applicationId);
    if (application) application.disabled = !active;
  }
  const webhook = instance.webhookId === null ? undefined : state.webhooks.get(instance.webhookId);
  if (webhook) webhook.disabled = !active;
}

/** The draft reference of the instance's offering version. */
export function instanceReference(state: SimulatorState, instance: AppInstanceRecord): string | undefined {
  return state.offerings.get(instance.appOfferingId)?.reference;
}

export function findInstance(
  state: SimulatorState,
  customerAccountId: string,
  reference: string,
): AppInstanceRecord | undefined {
  for (const instance of state.appInstances.values()) {
    if (instance.customerAccountId === customerAccountId && instanceReference(state, instance) === reference) {
      return instance;
    }
  }
  return undefined;
}

/** Merges custom field values by id; the order of first appearance is kept. */
export function mergeCustomFields(current: CustomFieldValue[], changes: CustomFieldValue[]): CustomFieldValue[] {
  const merged = current.map((field) => ({ ...field }));
  for (const change of changes) {
    const existing = merged.find((field) => field.id === change.id);
    if (existing) existing.value = change.value;
    else merged.push({ ...change });
  }
  return merged;
}

/** `app_offering` block of app_instance payloads. */
export function offeringBlock(state: SimulatorState, offering: OfferingRecord, updated?: boolean): Record<string, unknown> {
  const block: Record<string, unknown> = {
    reference: offering.reference,
    id: offering.id,
    nodeID: state.nodeId('AppOffering', offering.id),
  };
  if (updated !== undefined) block.updated = updated;
  return block;
}

/** Payload of app_instance.create, update and delete. */
export function instancePayload(
  state: SimulatorState,
  instance: AppInstanceRecord,
  offering: OfferingRecord,
  updated: boolean,
): Record<string, unknown> {
  const representative = state.people.get(instance.customerRepresentativeId);
  const customer = state.accounts.get(instance.customerAccountId);
  return {
    app_offering: offeringBlock(state, offering, updated),
    customer_account_id: instance.customerAccountId,
    disabled: instance.disabled,
    enabled_by_customer: instance.enabledByCustomer,
    suspended: instance.suspended,
    customer_representative: representative
      ? {
          id: representative.id,
          disabled: false,
          name: representative.name,
          account: { id: customer?.id ?? instance.customerAccountId, name: customer?.name ?? instance.customerAccountId },
          sourceID: null,
          nodeID: state.nodeId('Person', representative.id),
        }
      : null,
  };
}
