import { GraphQLError, Kind } from 'graphql';
import type { GraphQLScalarType, GraphQLSchema, ValueNode } from 'graphql';
import { WEBHOOK_EVENTS } from '../webhook-events.js';

/** Allowed values of the enums that the schema declares as scalars. */
const LENIENT_ENUMS: Record<string, readonly string[]> = {
  WebhookEvent: WEBHOOK_EVENTS,
  WebhookPolicyJwtAlg: ['es256', 'es384', 'es512', 'hs256', 'hs384', 'hs512', 'none', 'rs256', 'rs384', 'rs512'],
  ScopeEffect: ['allow', 'deny'],
  OauthApplicationGrantType: ['authorization_code', 'client_credentials', 'token_exchange'],
  UiExtensionCategory: [
    'app_offering',
    'contract',
    'custom_collection',
    'knowledge_article_template',
    'organization',
    'person',
    'problem',
    'product',
    'product_category',
    'project',
    'project_task_template',
    'release',
    'request_template',
    'risk',
    'scim_user',
    'service',
    'service_instance',
    'shop_article',
    'site',
    'task_template',
    'team',
    'workflow_template',
  ],
  AppOfferingView: ['all', 'current_account'],
  AppInstanceView: ['all', 'current_account'],
};

/**
 * Gives the scalars of the schema their behaviour: timestamps as ISO 8601 strings and
 * enum-like scalars that accept an enum literal (`es256`) or a string (`"es256"`).
 */
export function configureScalars(schema: GraphQLSchema): void {
  for (const [name, values] of Object.entries(LENIENT_ENUMS)) {
    const scalar = schema.getType(name) as GraphQLScalarType;
    const parse = (value: unknown): string => {
      if (typeof value !== 'string' || !values.includes(value)) {
        throw new GraphQLError(`Invalid ${name} value ${JSON.stringify(value)}; expected one of: ${values.join(', ')}.`);
      }
      return value;
    };
    scalar.parseValue = parse;
    scalar.parseLiteral = (node: ValueNode) => {
      if (node.kind !== Kind.STRING && node.kind !== Kind.ENUM) {
        throw new GraphQLError(`Invalid ${name} literal; expected an enum value or a string.`);
      }
      return parse(node.value);
    };
    scalar.serialize = (value: unknown) => value;
  }

  const timestamp = schema.getType('ISO8601Timestamp') as GraphQLScalarType;
  timestamp.serialize = (value: unknown) => (typeof value === 'number' ? formatTimestamp(value) : value);
  timestamp.parseValue = (value: unknown) => parseTimestamp(value);
  timestamp.parseLiteral = (node: ValueNode) => parseTimestamp(node.kind === Kind.STRING ? node.value : undefined);
}

/** ISO 8601 without milliseconds, e.g. `2026-01-14T10:00:51Z`. */
export function formatTimestamp(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseTimestamp(value: unknown): number {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new GraphQLError(`Invalid ISO8601Timestamp ${JSON.stringify(value)}; use e.g. 2026-01-14T10:00:51Z.`);
  }
  return parsed;
}
