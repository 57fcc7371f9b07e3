import { buildSchema, isObjectType } from 'graphql';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { GraphQLContext, ResolverMap } from './context.js';
import { asyncQueryResolvers } from './resolvers/async-queries.js';
import { commonResolvers } from './resolvers/common.js';
import { instanceResolvers } from './resolvers/instances.js';
import { offeringResolvers } from './resolvers/offerings.js';
import { uiExtensionResolvers } from './resolvers/ui-extensions.js';
import { webhookResolvers } from './resolvers/webhooks.js';
import { configureScalars } from './scalars.js';
import { SCHEMA_SDL } from './sdl.js';

const RESOLVER_MAPS: ResolverMap[] = [
  commonResolvers,
  offeringResolvers,
  instanceResolvers,
  webhookResolvers,
  uiExtensionResolvers,
  asyncQueryResolvers,
];

/** Builds the executable schema: the SDL plus the resolvers of every module. */
export function buildSimulatorSchema(): GraphQLSchema {
  const schema = buildSchema(SCHEMA_SDL);
  configureScalars(schema);
  for (const resolvers of RESOLVER_MAPS) {
    for (const [typeName, fields] of Object.entries(resolvers)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`Resolvers given for ${typeName}, which is not an object type of the schema.`);
      const schemaFields = type.getFields();
      for (const [fieldName, resolve] of Object.entries(fields)) {
        const field = schemaFields[fieldName];
        if (!field) throw new Error(`Resolver given for ${typeName}.${fieldName}, which the schema does not declare.`);
        field.resolve = resolve as unknown as GraphQLFieldResolver<unknown, GraphQLContext>;
      }
    }
  }
  return schema;
}
