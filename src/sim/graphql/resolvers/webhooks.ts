import type { WebhookPolicyRecord, WebhookRecord } from '../../state.js';
import {
  createWebhook,
  createWebhookPolicy,
  deleteWebhook,
  deleteWebhookPolicy,
  updateWebhook,
  updateWebhookPolicy,
} from '../../webhooks.js';
import type { WebhookInput, WebhookPolicyInput } from '../../webhooks.js';
import { matchesBoolean, matchesIds, matchesTime, matchesValues, paginate } from '../connection.js';
import type { ConnectionArgs, TimestampFilter, ValuesFilter } from '../connection.js';
import { idOf, optionalIdOf, requireScope, typeResolvers } from '../context.js';
import type { ResolverMap } from '../context.js';
import { runMutation } from '../mutation.js';
import { accountOf } from './common.js';

interface WebhookFilter {
  createdAt?: TimestampFilter | null;
  disabled?: boolean | null;
  id?: ValuesFilter | null;
  source?: ValuesFilter | null;
  sourceID?: ValuesFilter | null;
  updatedAt?: TimestampFilter | null;
}

interface WebhookPolicyFilter {
  createdAt?: TimestampFilter | null;
  id?: ValuesFilter | null;
  updatedAt?: TimestampFilter | null;
}

type GraphQLWebhookInput = Omit<WebhookInput, 'webhookPolicyId' | 'disabled' | 'openidConnectDiscovery'> & {
  clientMutationId?: string | null;
  webhookPolicyId?: string | null;
  disabled?: boolean | null;
  openidConnectDiscovery?: boolean | null;
};

type GraphQLPolicyInput = Omit<WebhookPolicyInput, 'jwtAlg' | 'disabled'> & {
  clientMutationId?: string | null;
  jwtAlg?: string | null;
  disabled?: boolean | null;
};

function toWebhookInput(input: GraphQLWebhookInput): WebhookInput {
  const { clientMutationId: _ignored, webhookPolicyId, disabled, openidConnectDiscovery, ...rest } = input;
  return {
    ...rest,
    webhookPolicyId: optionalIdOf(webhookPolicyId, 'WebhookPolicy'),
    disabled: disabled ?? undefined,
    openidConnectDiscovery: openidConnectDiscovery ?? undefined,
  };
}

function toPolicyInput(input: GraphQLPolicyInput): WebhookPolicyInput {
  return {
    jwtAlg: input.jwtAlg ?? undefined,
    jwtAudience: input.jwtAudience,
    jwtClaimExpiresIn: input.jwtClaimExpiresIn,
    disabled: input.disabled ?? undefined,
  };
}

export const webhookResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    webhooks: (_source, args: ConnectionArgs & { filter?: WebhookFilter | null }, context) => {
      requireScope(context, 'webhook', 'Read');
      const filter = args.filter ?? {};
      const records = [...context.state.webhooks.values()].filter(
        (webhook) =>
          webhook.accountId === context.accountId &&
          matchesTime(filter.createdAt, webhook.createdAt) &&
          matchesBoolean(filter.disabled, webhook.disabled) &&
          matchesIds(filter.id, webhook.id) &&
          matchesValues(filter.source, webhook.source) &&
          matchesValues(filter.sourceID, webhook.sourceID) &&
          matchesTime(filter.updatedAt, webhook.updatedAt),
      );
      return paginate(records, args, { field: 'webhooks', required: true });
    },
    webhookPolicies: (_source, args: ConnectionArgs & { filter?: WebhookPolicyFilter | null }, context) => {
      requireScope(context, 'webhook-policy', 'Read');
      const filter = args.filter ?? {};
      const records = [...context.state.webhookPolicies.values()].filter(
        (policy) =>
          policy.accountId === context.accountId &&
          matchesTime(filter.createdAt, policy.createdAt) &&
          matchesIds(filter.id, policy.id) &&
          matchesTime(filter.updatedAt, policy.updatedAt),
      );
      return paginate(records, args, { field: 'webhookPolicies', required: true });
    },
  }),
  Mutation: typeResolvers<unknown>({
    webhookCreate: (_source, args: { input: GraphQLWebhookInput & { event: string; uri: string } }, context) =>
      runMutation(context, ['webhook', 'Create'], args.input, 'webhook', () =>
        createWebhook(context.state, context.sender, context.accountId, context.person, {
          ...toWebhookInput(args.input),
          event: args.input.event,
          uri: args.input.uri,
        }),
      ),
    webhookUpdate: (_source, args: { input: GraphQLWebhookInput & { id: string } }, context) =>
      runMutation(context, ['webhook', 'Update'], args.input, 'webhook', () => {
        const { id, ...input } = args.input;
        return updateWebhook(context.state, context.sender, context.accountId, context.person, idOf(id, 'Webhook'), toWebhookInput(input));
      }),
    webhookDelete: (_source, args: { input: { id: string; clientMutationId?: string | null } }, context) =>
      runMutation(context, ['webhook', 'Delete'], args.input, 'success', () => {
        deleteWebhook(context.state, context.accountId, idOf(args.input.id, 'Webhook'));
        return true;
      }),
    webhookPolicyCreate: (_source, args: { input: GraphQLPolicyInput & { jwtAlg: string } }, context) =>
      runMutation(context, ['webhook-policy', 'Create'], args.input, 'webhookPolicy', () =>
        createWebhookPolicy(context.state, context.accountId, { ...toPolicyInput(args.input), jwtAlg: args.input.jwtAlg }),
      ),
    webhookPolicyUpdate: (_source, args: { input: GraphQLPolicyInput & { id: string } }, context) =>
      runMutation(context, ['webhook-policy', 'Update'], args.input, 'webhookPolicy', () =>
        updateWebhookPolicy(context.state, context.accountId, idOf(args.input.id, 'WebhookPolicy'), toPolicyInput(args.input)),
      ),
    webhookPolicyDelete: (_source, args: { input: { id: string; clientMutationId?: string | null } }, context) =>
      runMutation(context, ['webhook-policy', 'Delete'], args.input, 'success', () => {
        deleteWebhookPolicy(context.state, context.accountId, idOf(args.input.id, 'WebhookPolicy'));
        return true;
      }),
  }),
  Webhook: typeResolvers<WebhookRecord>({
    id: (webhook, _args, context) => context.state.nodeId('Webhook', webhook.id),
    account: (webhook, _args, context) => accountOf(context, webhook.accountId),
    webhookPolicy: (webhook, _args, context) =>
      webhook.webhookPolicyId === null ? null : (context.state.webhookPolicies.get(webhook.webhookPolicyId) ?? null),
  }),
  WebhookPolicy: typeResolvers<WebhookPolicyRecord>({
    id: (policy, _args, context) => context.state.nodeId('WebhookPolicy', policy.id),
    account: (policy, _args, context) => accountOf(context, policy.accountId),
  }),
  WebhookPolicyCreateResponse: typeResolvers<WebhookPolicyRecord>({
    id: (policy, _args, context) => context.state.nodeId('WebhookPolicy', policy.id),
    account: (policy, _args, context) => accountOf(context, policy.accountId),
  }),
};
