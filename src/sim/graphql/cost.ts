import { getNamedType, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';

/**
 * Estimates the cost of a query: one point per connection field selected, at least one.
 * NOTE: Xurrent does not document its cost formula. This estimate keeps the trivial query
 * at cost 1, as Xurrent reports, and makes larger queries cost more.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode): number {
  const typeInfo = new TypeInfo(schema);
  let connections = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (type && getNamedType(type).name.endsWith('Connection')) connections += 1;
      },
    }),
  );
  return Math.max(1, connections);
}
