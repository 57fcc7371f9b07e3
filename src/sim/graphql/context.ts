import { GraphQLError } from 'graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { DeliverySender } from '../deliveries.js';
import { decodeNodeId } from '../ids.js';
import type { RateLimiter } from '../rate-limit.js';
import { formatScope } from '../scopes.js';
import type { ScopeAction, ScopeSet } from '../scopes.js';
import type { AccessTokenRecord, PersonRecord, SimulatorState } from '../state.js';

/** Per-request context: the authenticated token, its account and the simulator's services. */
export interface GraphQLContext {
  state: SimulatorState;
  sender: DeliverySender;
  rateLimiter: RateLimiter;
  /** The account of the token, which `X-Xurrent-Account` named. */
  accountId: string;
  person: PersonRecord;
  token: AccessTokenRecord;
  scopes: ScopeSet;
}

export type FieldResolver<TSource> = (
  source: TSource,
  args: never,
  context: GraphQLContext,
  info: GraphQLResolveInfo,
) => unknown;

/** Field resolvers per GraphQL type name. */
export type ResolverMap = Record<string, Record<string, FieldResolver<never>>>;

/** Types a map of field resolvers for one source type. */
export function typeResolvers<TSource>(map: Record<string, FieldResolver<TSource>>): Record<string, FieldResolver<never>> {
  return map as Record<string, FieldResolver<never>>;
}

/**
 * Raises Xurrent's top-level "Unauthorized" error when the token lacks a scope; the
 * missing scope is named in `extensions.missingScope` so the fix is visible.
 */
export function requireScope(context: GraphQLContext, model: string, action: ScopeAction): void {
  if (context.scopes.allows(model, action)) return;
  throw new GraphQLError('Unauthorized', {
    extensions: {
      missingScope: formatScope(model, action),
      hint: `Add the scope ${formatScope(model, action)} to the OAuth application of this token.`,
    },
  });
}

export function notFound(): GraphQLError {
  return new GraphQLError('Not Found');
}

/** Decodes a nodeID argument of the expected type into its numeric id, or raises "Not Found". */
export function idOf(nodeId: string, type: string): number {
  const decoded = decodeNodeId(nodeId);
  if (!decoded || decoded.type !== type) throw notFound();
  return decoded.id;
}

/** Decodes an optional nodeID argument; null stays null and undefined stays undefined. */
export function optionalIdOf(nodeId: string | null | undefined, type: string): number | null | undefined {
  if (nodeId === undefined || nodeId === null) return nodeId;
  return idOf(nodeId, type);
}
