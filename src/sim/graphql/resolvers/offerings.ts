import {
  createAutomationRule,
  createOffering,
  deleteAutomationRule,
  publishOffering,
  rulesOf,
  updateAutomationRule,
  updateOffering,
} from '../../offerings.js';
import type { AutomationRuleInput, OfferingInput, OfferingScopeInput } from '../../offerings.js';
import type { AttachmentReference, AutomationRuleRecord, OfferingRecord, ServiceInstanceRecord } from '../../state.js';
import { matchesBoolean, matchesIds, matchesTime, matchesValues, paginate } from '../connection.js';
import type { ConnectionArgs, TimestampFilter, ValuesFilter } from '../connection.js';
import { idOf, optionalIdOf, requireScope, typeResolvers } from '../context.js';
import type { GraphQLContext, ResolverMap } from '../context.js';
import { runMutation } from '../mutation.js';
import { accountOf } from './common.js';

interface OfferingFilter {
  account?: ValuesFilter | null;
  createdAt?: TimestampFilter | null;
  disabled?: boolean | null;
  id?: ValuesFilter | null;
  latest?: boolean | null;
  name?: ValuesFilter | null;
  published?: boolean | null;
  reference?: ValuesFilter | null;
  service?: ValuesFilter | null;
  serviceInstance?: ValuesFilter | null;
  source?: ValuesFilter | null;
  sourceID?: ValuesFilter | null;
  updatedAt?: TimestampFilter | null;
}

interface ServiceInstanceFilter {
  createdAt?: TimestampFilter | null;
  id?: ValuesFilter | null;
  name?: ValuesFilter | null;
  source?: ValuesFilter | null;
  sourceID?: ValuesFilter | null;
  updatedAt?: TimestampFilter | null;
}

interface GraphQLScopeInput {
  id?: string | null;
  effect?: string | null;
  grantType?: string | null;
  actions?: string[] | null;
  conditions?: string[] | null;
}

type GraphQLOfferingInput = Omit<OfferingInput, 'serviceInstanceId' | 'uiExtensionId' | 'uiExtensionVersionId' | 'newScopes' | 'scopesToDelete'> & {
  clientMutationId?: string | null;
  serviceInstanceId?: string | null;
  uiExtensionId?: string | null;
  uiExtensionVersionId?: string | null;
  newScopes?: GraphQLScopeInput[] | null;
  scopesToDelete?: string[] | null;
};

type GraphQLRuleInput = AutomationRuleInput & { clientMutationId?: string | null };

function toOfferingInput(input: GraphQLOfferingInput): OfferingInput {
  const { clientMutationId: _ignored, serviceInstanceId, uiExtensionId, uiExtensionVersionId, newScopes, scopesToDelete, ...rest } = input;
  return {
    ...rest,
    serviceInstanceId: optionalIdOf(serviceInstanceId, 'ServiceInstance'),
    uiExtensionId: optionalIdOf(uiExtensionId, 'UiExtension'),
    uiExtensionVersionId: optionalIdOf(uiExtensionVersionId, 'UiExtensionVersion'),
    newScopes: newScopes?.map(
      (scope): OfferingScopeInput => ({ ...scope, id: scope.id == null ? null : scopeId(scope.id) }),
    ),
    scopesToDelete: scopesToDelete?.map(scopeId),
  };
}

/** Scope ids are nodeIDs on output; plain numbers are accepted too because clients echo what they read. */
function scopeId(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : idOf(value, 'AppOfferingScope');
}

function toRuleInput(input: GraphQLRuleInput): AutomationRuleInput {
  const { clientMutationId: _ignored, ...rest } = input;
  return rest;
}

function visibleOfferings(context: GraphQLContext, view: string | null | undefined): OfferingRecord[] {
  return [...context.state.offerings.values()].filter(
    (offering) => offering.accountId === context.accountId || (view === 'all' && offering.published && !offering.disabled),
  );
}

function attachments(records: AttachmentReference[], args: ConnectionArgs, field: string) {
  const withIds = records.map((record, index) => ({ ...record, id: index + 1, filename: null, expiringUrl: null }));
  return paginate(withIds, args, { field, required: false });
}

export const offeringResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    appOfferings: (_source, args: ConnectionArgs & { filter?: OfferingFilter | null; view?: string | null }, context) => {
      requireScope(context, 'app-offering', 'Read');
      const filter = args.filter ?? {};
      const records = visibleOfferings(context, args.view).filter(
        (offering) =>
          matchesValues(filter.account, offering.accountId) &&
          matchesTime(filter.createdAt, offering.createdAt) &&
          matchesBoolean(filter.disabled, offering.disabled) &&
          matchesIds(filter.id, offering.id) &&
          matchesBoolean(filter.latest, offering.latest) &&
          matchesValues(filter.name, offering.name) &&
          matchesBoolean(filter.published, offering.published) &&
          matchesValues(filter.reference, offering.reference) &&
          matchesIds(filter.serviceInstance ?? filter.service, offering.serviceInstanceId) &&
          matchesValues(filter.source, offering.source) &&
          matchesValues(filter.sourceID, offering.sourceID) &&
          matchesTime(filter.updatedAt, offering.updatedAt),
      );
      return paginate(records, args, { field: 'appOfferings', required: true });
    },
    serviceInstances: (_source, args: ConnectionArgs & { filter?: ServiceInstanceFilter | null }, context) => {
      requireScope(context, 'service-instance', 'Read');
      const filter = args.filter ?? {};
      const records = [...context.state.serviceInstances.values()].filter(
        (record) =>
          record.accountId === context.accountId &&
          matchesTime(filter.createdAt, record.createdAt) &&
          matchesIds(filter.id, record.id) &&
          matchesValues(filter.name, record.name) &&
          matchesValues(filter.source, record.source) &&
          matchesValues(filter.sourceID, record.sourceID) &&
          matchesTime(filter.updatedAt, record.updatedAt),
      );
      return paginate(records, args, { field: 'serviceInstances', required: true });
    },
  }),
  Mutation: typeResolvers<unknown>({
    appOfferingCreate: (_source, args: { input: GraphQLOfferingInput & { name: string } }, context) =>
      runMutation(context, ['app-offering', 'Create'], args.input, 'appOffering', () =>
        createOffering(context.state, context.accountId, { ...toOfferingInput(args.input), name: args.input.name }),
      ),
    appOfferingUpdate: (_source, args: { input: GraphQLOfferingInput & { id: string } }, context) =>
      runMutation(context, ['app-offering', 'Update'], args.input, 'appOffering', () =>
        updateOffering(context.state, context.accountId, idOf(args.input.id, 'AppOffering'), toOfferingInput(args.input)),
      ),
    appOfferingPublish: (_source, args: { input: { id: string; clientMutationId?: string | null } }, context) =>
      runMutation(context, ['app-offering', 'Update'], args.input, 'appOffering', () =>
        publishOffering(context.state, context.accountId, idOf(args.input.id, 'AppOffering')),
      ),
    appOfferingAutomationRuleCreate: (
      _source,
      args: { input: GraphQLRuleInput & { appOfferingId: string; name: string; trigger: string; condition: string } },
      context,
    ) =>
      runMutation(context, ['app-offering-automation-rule', 'Create'], args.input, 'appOfferingAutomationRule', () => {
        const { appOfferingId, ...rule } = args.input;
        return createAutomationRule(context.state, context.accountId, idOf(appOfferingId, 'AppOffering'), {
          ...toRuleInput(rule),
          name: rule.name,
          trigger: rule.trigger,
          condition: rule.condition,
        });
      }),
    appOfferingAutomationRuleUpdate: (_source, args: { input: GraphQLRuleInput & { id: string } }, context) =>
      runMutation(context, ['app-offering-automation-rule', 'Update'], args.input, 'appOfferingAutomationRule', () => {
        const { id, ...rule } = args.input;
        return updateAutomationRule(context.state, context.accountId, idOf(id, 'AppOfferingAutomationRule'), toRuleInput(rule));
      }),
    appOfferingAutomationRuleDelete: (_source, args: { input: { id: string; clientMutationId?: string | null } }, context) =>
      runMutation(context, ['app-offering-automation-rule', 'Delete'], args.input, 'success', () => {
        deleteAutomationRule(context.state, context.accountId, idOf(args.input.id, 'AppOfferingAutomationRule'));
        return true;
      }),
  }),
  AppOffering: typeResolvers<OfferingRecord>({
    id: (offering, _args, context) => context.state.nodeId('AppOffering', offering.id),
    account: (offering, _args, context) => accountOf(context, offering.accountId),
    serviceInstance: (offering, _args, context) =>
      offering.serviceInstanceId === null ? null : (context.state.serviceInstances.get(offering.serviceInstanceId) ?? null),
    uiExtension: (offering, _args, context) =>
      offering.uiExtensionId === null ? null : (context.state.uiExtensions.get(offering.uiExtensionId) ?? null),
    uiExtensionVersion: (offering, _args, context) => {
      if (offering.uiExtensionVersionId !== null) return context.state.uiExtensionVersions.get(offering.uiExtensionVersionId) ?? null;
      const extension = offering.uiExtensionId === null ? undefined : context.state.uiExtensions.get(offering.uiExtensionId);
      return extension?.activeVersionId == null ? null : (context.state.uiExtensionVersions.get(extension.activeVersionId) ?? null);
    },
    scopes: (offering, _args, context) =>
      offering.scopes.map((scope) => ({ ...scope, id: context.state.nodeId('AppOfferingScope', scope.id) })),
    descriptionAttachments: (offering, args: ConnectionArgs) =>
      attachments(offering.descriptionAttachments, args, 'descriptionAttachments'),
    featuresAttachments: (offering, args: ConnectionArgs) => attachments(offering.featuresAttachments, args, 'featuresAttachments'),
    complianceAttachments: (offering, args: ConnectionArgs) =>
      attachments(offering.complianceAttachments, args, 'complianceAttachments'),
    automationRules: (offering, args: ConnectionArgs, context) =>
      paginate(rulesOf(context.state, offering.id), args, { field: 'automationRules', required: false }),
    appInstances: (offering, args: ConnectionArgs, context) =>
      paginate(
        [...context.state.appInstances.values()].filter((instance) => instance.appOfferingId === offering.id),
        args,
        { field: 'appInstances', required: false },
      ),
  }),
  AppOfferingAutomationRule: typeResolvers<AutomationRuleRecord>({
    id: (rule, _args, context) => context.state.nodeId('AppOfferingAutomationRule', rule.id),
    account: (rule, _args, context) => accountOf(context, rule.accountId),
    appOffering: (rule, _args, context) => (rule.appOfferingId === null ? null : (context.state.offerings.get(rule.appOfferingId) ?? null)),
  }),
  AutomationRule: typeResolvers<AutomationRuleRecord>({
    id: (rule, _args, context) => context.state.nodeId('AutomationRule', rule.id),
    account: (rule, _args, context) => accountOf(context, rule.accountId),
  }),
  ServiceInstance: typeResolvers<ServiceInstanceRecord>({
    id: (record, _args, context) => context.state.nodeId('ServiceInstance', record.id),
    account: (record, _args, context) => accountOf(context, record.accountId),
  }),
};
