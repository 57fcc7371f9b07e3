import { applyInstanceActivity, instanceReference, mergeCustomFields } from '../../app-instances.js';
import { ValidationFailed } from '../../domain-errors.js';
import { emitProviderInstanceUpdate } from '../../lifecycle.js';
import type { AppInstanceRecord, AutomationRuleRecord } from '../../state.js';
import { findOwned } from '../../webhooks.js';
import { matchesBoolean, matchesIds, matchesTime, matchesValues, paginate } from '../connection.js';
import type { ConnectionArgs, TimestampFilter, ValuesFilter } from '../connection.js';
import { idOf, requireScope, typeResolvers } from '../context.js';
import type { GraphQLContext, ResolverMap } from '../context.js';
import { runMutation } from '../mutation.js';
import { accountOf, personOf } from './common.js';

interface AppInstanceFilter {
  account?: ValuesFilter | null;
  appOffering?: ValuesFilter | null;
  appOfferingReference?: ValuesFilter | null;
  createdAt?: TimestampFilter | null;
  customerAccount?: ValuesFilter | null;
  customerRepresentative?: ValuesFilter | null;
  disabled?: boolean | null;
  enabledByCustomer?: boolean | null;
  id?: ValuesFilter | null;
  serviceInstance?: ValuesFilter | null;
  suspended?: boolean | null;
  updatedAt?: TimestampFilter | null;
}

interface AppInstanceUpdateInput {
  clientMutationId?: string | null;
  id: string;
  customerRepresentativeId?: string | null;
  customFields?: Array<{ id: string; value?: unknown }> | null;
  disabled?: boolean | null;
  enabledByCustomer?: boolean | null;
  suspended?: boolean | null;
  suspensionComment?: string | null;
}

function matchesInstance(context: GraphQLContext, instance: AppInstanceRecord, filter: AppInstanceFilter): boolean {
  const offering = context.state.offerings.get(instance.appOfferingId);
  return (
    matchesValues(filter.account, instance.accountId) &&
    matchesIds(filter.appOffering, instance.appOfferingId) &&
    matchesValues(filter.appOfferingReference, instanceReference(context.state, instance) ?? null) &&
    matchesTime(filter.createdAt, instance.createdAt) &&
    matchesValues(filter.customerAccount, instance.customerAccountId) &&
    matchesIds(filter.customerRepresentative, instance.customerRepresentativeId) &&
    matchesBoolean(filter.disabled, instance.disabled) &&
    matchesBoolean(filter.enabledByCustomer, instance.enabledByCustomer) &&
    matchesIds(filter.id, instance.id) &&
    matchesIds(filter.serviceInstance, offering?.serviceInstanceId ?? null) &&
    matchesBoolean(filter.suspended, instance.suspended) &&
    matchesTime(filter.updatedAt, instance.updatedAt)
  );
}

/**
 * Applies a provider's appInstanceUpdate and sends app_instance.update to the provider's
 * webhooks. The customer-only switch enabledByCustomer and blank custom field ids are rejected.
 */
function updateInstance(context: GraphQLContext, input: AppInstanceUpdateInput): AppInstanceRecord {
  const instance = findOwned(context.state.appInstances, context.accountId, idOf(input.id, 'AppInstance'), 'AppInstance');
  if (input.enabledByCustomer != null && input.enabledByCustomer !== instance.enabledByCustomer) {
    throw new ValidationFailed([
      { path: ['enabledByCustomer'], message: 'can only be changed by the customer account' },
    ]);
  }
  const blankIds = (input.customFields ?? []).flatMap((field, index) =>
    field.id.trim() === '' ? [{ path: ['customFields', String(index), 'id'], message: "can't be blank" }] : [],
  );
  if (blankIds.length > 0) throw new ValidationFailed(blankIds);
  if (input.customFields != null) {
    instance.customFields = mergeCustomFields(
      instance.customFields,
      input.customFields.map((field) => ({ id: field.id, value: field.value ?? null })),
    );
  }
  if (input.disabled != null) instance.disabled = input.disabled;
  if (input.suspended != null) instance.suspended = input.suspended;
  if (input.suspensionComment !== undefined) instance.suspensionComment = input.suspensionComment;
  instance.updatedAt = context.state.now();
  applyInstanceActivity(context.state, instance);
  emitProviderInstanceUpdate({ state: context.state, sender: context.sender }, instance, context.person);
  return instance;
}

export const instanceResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    appInstances: (_source, args: ConnectionArgs & { filter?: AppInstanceFilter | null; view?: string | null }, context) => {
      requireScope(context, 'app-instance', 'Read');
      const filter = args.filter ?? {};
      const records = [...context.state.appInstances.values()].filter(
        (instance) => instance.accountId === context.accountId && matchesInstance(context, instance, filter),
      );
      return paginate(records, args, { field: 'appInstances', required: true });
    },
  }),
  Mutation: typeResolvers<unknown>({
    appInstanceUpdate: (_source, args: { input: AppInstanceUpdateInput }, context) =>
      runMutation(context, ['app-instance', 'Update'], args.input, 'appInstance', () => updateInstance(context, args.input)),
  }),
  AppInstance: typeResolvers<AppInstanceRecord>({
    id: (instance, _args, context) => context.state.nodeId('AppInstance', instance.id),
    account: (instance, _args, context) => accountOf(context, instance.accountId),
    appOffering: (instance, _args, context) => context.state.offerings.get(instance.appOfferingId) ?? null,
    customerAccount: (instance, _args, context) => accountOf(context, instance.customerAccountId),
    customerRepresentative: (instance, _args, context) => personOf(context, instance.customerRepresentativeId),
    automationRules: (instance, args: ConnectionArgs, context) =>
      paginate(
        [...instance.customerRuleIds.values()]
          .map((id) => context.state.automationRules.get(id))
          .filter((rule): rule is AutomationRuleRecord => rule !== undefined),
        args,
        { field: 'automationRules', required: false },
      ),
    webhook: (instance, _args, context) => (instance.webhookId === null ? null : (context.state.webhooks.get(instance.webhookId) ?? null)),
    webhookPolicy: (instance, _args, context) =>
      instance.webhookPolicyId === null ? null : (context.state.webhookPolicies.get(instance.webhookPolicyId) ?? null),
  }),
};
