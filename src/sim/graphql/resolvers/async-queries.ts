import { asyncQueryStatus, MAX_PHYSICAL_ASSETS, resultUrl, submitDiscoveredConfigurationItems } from '../../async-queries.js';
import type { DiscoveredConfigurationItemsInput } from '../../async-queries.js';
import { attachmentStorageFor } from '../../attachment-storage.js';
import { ValidationFailed } from '../../domain-errors.js';
import type { AsyncQueryRecord } from '../../state.js';
import { requireScope, typeResolvers } from '../context.js';
import type { ResolverMap } from '../context.js';
import { runMutation } from '../mutation.js';
import { accountOf, personOf } from './common.js';

export const asyncQueryResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    attachmentStorage: (_source, _args, context) => {
      requireScope(context, 'attachment', 'Read');
      return attachmentStorageFor(context.state, context.accountId);
    },
  }),
  Mutation: typeResolvers<unknown>({
    discoveredConfigurationItems: (
      _source,
      args: { input: DiscoveredConfigurationItemsInput & { clientMutationId?: string | null } },
      context,
    ) =>
      runMutation(context, ['ci', 'Create'], args.input, 'asyncQuery', () => {
        if ((args.input.physicalAssets ?? []).length > MAX_PHYSICAL_ASSETS) {
          throw new ValidationFailed([{ path: ['physicalAssets'], message: `is too long (maximum is ${MAX_PHYSICAL_ASSETS} assets)` }]);
        }
        return submitDiscoveredConfigurationItems(context.state, context.accountId, context.person.id, args.input);
      }).then((payload) => ({ ...payload, configurationItems: null })),
  }),
  AsyncQuery: typeResolvers<AsyncQueryRecord>({
    id: (query, _args, context) => context.state.nodeId('AsyncQuery', query.id),
    account: (query, _args, context) => accountOf(context, query.accountId),
    person: (query, _args, context) => personOf(context, query.personId),
    status: (query, _args, context) => asyncQueryStatus(query, context.state.now()),
    resultUrl: (query, _args, context) => resultUrl(context.state, query),
    startedAt: (query) => query.createdAt,
    completedAt: (query, _args, context) => (asyncQueryStatus(query, context.state.now()) === 'completed' ? query.readyAt : null),
    updatedAt: (query) => query.createdAt,
  }),
};
