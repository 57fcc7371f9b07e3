import { RecordNotFound, ValidationFailed } from '../domain-errors.js';
import type { ScopeAction } from '../scopes.js';
import { notFound, requireScope } from './context.js';
import type { GraphQLContext } from './context.js';

/**
 * Runs a mutation the way Xurrent reports outcomes: validation problems go into the
 * payload's `errors` with the record field null, and unknown ids raise a top-level "Not Found".
 */
export async function runMutation(
  context: GraphQLContext,
  scope: [model: string, action: ScopeAction],
  input: { clientMutationId?: string | null },
  resultField: string,
  operation: () => unknown,
): Promise<Record<string, unknown>> {
  requireScope(context, scope[0], scope[1]);
  const clientMutationId = input.clientMutationId ?? null;
  try {
    const result = await operation();
    return { clientMutationId, errors: [], [resultField]: result };
  } catch (error) {
    if (error instanceof ValidationFailed) return { clientMutationId, errors: error.issues, [resultField]: null };
    if (error instanceof RecordNotFound) throw notFound();
    throw error;
  }
}
