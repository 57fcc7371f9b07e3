import { GraphQLError } from 'graphql';
import { decodeNodeId } from '../../ids.js';
import type { ScopeAction } from '../../scopes.js';
import type { AccountRecord, PersonRecord } from '../../state.js';
import { requireScope, typeResolvers } from '../context.js';
import type { GraphQLContext, ResolverMap } from '../context.js';

/** Record lookup for `node(id:)`: the record when the current account may see it, and the scope model to check. */
interface NodeLookup {
  model: string | null;
  find: (context: GraphQLContext, id: number) => object | undefined;
}

const NODE_TYPES: Record<string, NodeLookup> = {
  AppOffering: { model: 'app-offering', find: (c, id) => owned(c, c.state.offerings.get(id)) },
  AppOfferingAutomationRule: {
    model: 'app-offering-automation-rule',
    find: (c, id) => {
      const rule = owned(c, c.state.automationRules.get(id));
      return rule?.appOfferingId != null ? rule : undefined;
    },
  },
  AutomationRule: {
    model: 'automation-rule',
    find: (c, id) => {
      const rule = owned(c, c.state.automationRules.get(id));
      return rule?.appInstanceId != null ? rule : undefined;
    },
  },
  AppInstance: {
    model: 'app-instance',
    find: (c, id) => {
      const instance = c.state.appInstances.get(id);
      return instance && (instance.accountId === c.accountId || instance.customerAccountId === c.accountId) ? instance : undefined;
    },
  },
  Webhook: { model: 'webhook', find: (c, id) => owned(c, c.state.webhooks.get(id)) },
  WebhookPolicy: { model: 'webhook-policy', find: (c, id) => owned(c, c.state.webhookPolicies.get(id)) },
  UiExtension: { model: 'ui-extension', find: (c, id) => owned(c, c.state.uiExtensions.get(id)) },
  ServiceInstance: { model: 'service-instance', find: (c, id) => owned(c, c.state.serviceInstances.get(id)) },
  Person: { model: 'person', find: (c, id) => owned(c, c.state.people.get(id)) },
  AsyncQuery: { model: null, find: (c, id) => owned(c, c.state.asyncQueries.get(id)) },
};

function owned<T extends { accountId: string }>(context: GraphQLContext, record: T | undefined): T | undefined {
  return record && record.accountId === context.accountId ? record : undefined;
}

export function accountOf(context: GraphQLContext, accountId: string): AccountRecord | null {
  return context.state.accounts.get(accountId) ?? null;
}

export function personOf(context: GraphQLContext, personId: number): PersonRecord | null {
  return context.state.people.get(personId) ?? null;
}

const READ: ScopeAction = 'Read';

export const commonResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    account: (_source, _args, context) => {
      requireScope(context, 'account', READ);
      return accountOf(context, context.accountId);
    },
    me: (_source, _args, context) => context.person,
    rateLimit: (_source, _args, context) => context.rateLimiter.snapshot(context.token.token),
    node: (_source, args: { id: string }, context) => {
      const decoded = decodeNodeId(args.id);
      const lookup = decoded ? NODE_TYPES[decoded.type] : undefined;
      if (!decoded || !lookup) return null;
      if (lookup.model !== null) requireScope(context, lookup.model, READ);
      const record = lookup.find(context, decoded.id);
      if (!record) throw new GraphQLError('Not Found');
      return { __typename: decoded.type, ...record };
    },
  }),
  Account: typeResolvers<AccountRecord>({
    url: (account, _args, context) => context.state.accountUrl(account.id),
    disabled: () => false,
    directory: () => false,
  }),
  Person: typeResolvers<PersonRecord>({
    id: (person, _args, context) => context.state.nodeId('Person', person.id),
    account: (person, _args, context) => accountOf(context, person.accountId),
    disabled: () => false,
  }),
};
