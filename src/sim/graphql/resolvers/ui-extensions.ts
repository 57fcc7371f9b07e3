import type { UiExtensionRecord, UiExtensionVersionRecord } from '../../state.js';
import { createUiExtension, updateUiExtension } from '../../ui-extensions.js';
import type { UiExtensionInput } from '../../ui-extensions.js';
import { matchesIds, matchesTime, matchesValues, paginate } from '../connection.js';
import type { ConnectionArgs, TimestampFilter, ValuesFilter } from '../connection.js';
import { idOf, requireScope, typeResolvers } from '../context.js';
import type { ResolverMap } from '../context.js';
import { runMutation } from '../mutation.js';
import { accountOf } from './common.js';

interface UiExtensionFilter {
  category?: ValuesFilter | null;
  createdAt?: TimestampFilter | null;
  id?: ValuesFilter | null;
  name?: ValuesFilter | null;
  source?: ValuesFilter | null;
  sourceID?: ValuesFilter | null;
  updatedAt?: TimestampFilter | null;
}

type GraphQLUiExtensionInput = UiExtensionInput & { clientMutationId?: string | null; descriptionAttachments?: unknown };

function toInput(input: GraphQLUiExtensionInput): UiExtensionInput {
  const { clientMutationId: _ignored, descriptionAttachments: _attachments, ...rest } = input;
  return rest;
}

export const uiExtensionResolvers: ResolverMap = {
  Query: typeResolvers<unknown>({
    uiExtensions: (_source, args: ConnectionArgs & { filter?: UiExtensionFilter | null }, context) => {
      requireScope(context, 'ui-extension', 'Read');
      const filter = args.filter ?? {};
      const records = [...context.state.uiExtensions.values()].filter(
        (extension) =>
          extension.accountId === context.accountId &&
          matchesValues(filter.category, extension.category) &&
          matchesTime(filter.createdAt, extension.createdAt) &&
          matchesIds(filter.id, extension.id) &&
          matchesValues(filter.name, extension.name) &&
          matchesValues(filter.source, extension.source) &&
          matchesValues(filter.sourceID, extension.sourceID) &&
          matchesTime(filter.updatedAt, extension.updatedAt),
      );
      return paginate(records, args, { field: 'uiExtensions', required: true });
    },
  }),
  Mutation: typeResolvers<unknown>({
    uiExtensionCreate: (_source, args: { input: GraphQLUiExtensionInput & { name: string; category: string } }, context) =>
      runMutation(context, ['ui-extension', 'Create'], args.input, 'uiExtension', () =>
        createUiExtension(context.state, context.accountId, {
          ...toInput(args.input),
          name: args.input.name,
          category: args.input.category,
        }),
      ),
    uiExtensionUpdate: (_source, args: { input: GraphQLUiExtensionInput & { id: string } }, context) =>
      runMutation(context, ['ui-extension', 'Update'], args.input, 'uiExtension', () => {
        const { id, ...input } = args.input;
        return updateUiExtension(context.state, context.accountId, idOf(id, 'UiExtension'), toInput(input));
      }),
  }),
  UiExtension: typeResolvers<UiExtensionRecord>({
    id: (extension, _args, context) => context.state.nodeId('UiExtension', extension.id),
    account: (extension, _args, context) => accountOf(context, extension.accountId),
    activeVersion: (extension, _args, context) =>
      extension.activeVersionId === null ? null : (context.state.uiExtensionVersions.get(extension.activeVersionId) ?? null),
    versions: (extension, args: ConnectionArgs, context) =>
      paginate(
        extension.versionIds
          .map((id) => context.state.uiExtensionVersions.get(id))
          .filter((version): version is UiExtensionVersionRecord => version !== undefined),
        args,
        { field: 'versions', required: false },
      ),
  }),
  UiExtensionVersion: typeResolvers<UiExtensionVersionRecord>({
    id: (version, _args, context) => context.state.nodeId('UiExtensionVersion', version.id),
    uiExtension: (version, _args, context) => context.state.uiExtensions.get(version.uiExtensionId) ?? null,
  }),
};
