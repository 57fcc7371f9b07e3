import { randomUUID } from 'node:crypto';
import { execute, parse, validate } from 'graphql';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { DeliverySender } from '../deliveries.js';
import type { FaultRegistry } from '../faults.js';
import { accountHeader, bearerToken, faultHook } from '../http.js';
import type { RateLimiter } from '../rate-limit.js';
import { ScopeSet } from '../scopes.js';
import type { SimulatorState } from '../state.js';
import { findActiveToken } from '../tokens.js';
import type { GraphQLContext } from './context.js';
import { queryCost } from './cost.js';
import { buildSimulatorSchema } from './schema.js';

interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface GraphQLRouteDeps {
  state: SimulatorState;
  sender: DeliverySender;
  faults: FaultRegistry;
  rateLimiter: RateLimiter;
  logger: Logger;
}

/** Registers POST /graphql: authentication, rate limits, then parse, validate and execute with graphql-js. */
export function registerGraphQLRoute(app: FastifyInstance, deps: GraphQLRouteDeps): void {
  const schema = buildSimulatorSchema();
  const handler = (request: FastifyRequest, reply: FastifyReply) => handleGraphQL(schema, deps, request, reply);
  const options = { preHandler: faultHook(deps.faults, 'graphql') };
  app.post('/graphql', options, handler);
  app.post('/graphql/', options, handler);
}

async function handleGraphQL(
  schema: GraphQLSchema,
  deps: GraphQLRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { state, rateLimiter, logger } = deps;
  reply.header('X-Request-Id', `Root${randomUUID()}`);

  const token = findActiveToken(state, bearerToken(request));
  if (!token) {
    logger.info('rejected GraphQL request: missing, unknown or expired token');
    return reply.code(401).send({
      errors: [{ message: 'Unauthorized', extensions: { hint: 'Send a valid, unexpired access token as Authorization: Bearer <token>.' } }],
    });
  }
  const accountId = accountHeader(request);
  const account = accountId === undefined ? undefined : state.accounts.get(accountId);
  if (!account) {
    logger.info({ account: accountId }, 'rejected GraphQL request: invalid account header');
    return reply.code(400).send({ message: 'Invalid x-xurrent-account header' });
  }
  if (account.id !== token.accountId) {
    logger.info({ account: account.id, tokenAccount: token.accountId }, 'rejected GraphQL request: token of another account');
    return reply.code(401).send({
      errors: [
        {
          message: 'Unauthorized',
          extensions: { hint: `The token belongs to account '${token.accountId}'; send X-Xurrent-Account: ${token.accountId}.` },
        },
      ],
    });
  }

  const admission = rateLimiter.admitRequest(token.token);
  if (!admission.ok) {
    logger.info({ account: account.id, reason: admission.reason }, 'rate limited GraphQL request');
    return sendRateLimited(reply, rateLimiter, token.token, admission.retryAfterSeconds);
  }

  const body = (request.body ?? {}) as GraphQLRequestBody;
  if (typeof body.query !== 'string' || body.query.trim() === '') {
    return sendErrors(reply, rateLimiter, token.token, 400, [{ message: 'Missing query: post JSON {"query": "...", "variables": {...}}.' }]);
  }
  if (body.variables !== undefined && body.variables !== null && (typeof body.variables !== 'object' || Array.isArray(body.variables))) {
    return sendErrors(reply, rateLimiter, token.token, 400, [{ message: 'Invalid variables: send a JSON object.' }]);
  }

  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    return sendErrors(reply, rateLimiter, token.token, 200, [(error as GraphQLError).toJSON()]);
  }
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) {
    return sendErrors(reply, rateLimiter, token.token, 200, validationErrors.map((error) => error.toJSON()));
  }

  const costAdmission = rateLimiter.chargeCost(token.token, queryCost(schema, document));
  if (!costAdmission.ok) {
    logger.info({ account: account.id, reason: costAdmission.reason }, 'rate limited GraphQL request');
    return sendRateLimited(reply, rateLimiter, token.token, costAdmission.retryAfterSeconds);
  }

  const person = state.people.get(account.personId);
  if (!person) throw new Error(`Account '${account.id}' has no person; accounts are created with one.`);
  const context: GraphQLContext = {
    state,
    sender: deps.sender,
    rateLimiter,
    accountId: account.id,
    person,
    token,
    scopes: new ScopeSet(token.scopes),
  };
  const result = await execute({
    schema,
    document,
    contextValue: context,
    variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
  });
  for (const error of result.errors ?? []) {
    if (error.originalError && !('extensions' in error.originalError)) {
      logger.error({ err: error.originalError, path: error.path }, 'GraphQL resolver failed');
    }
  }
  reply.headers(rateLimiter.headers(token.token));
  return reply.code(200).send(result);
}

function sendErrors(
  reply: FastifyReply,
  rateLimiter: RateLimiter,
  token: string,
  status: number,
  errors: unknown[],
): FastifyReply {
  return reply.code(status).headers(rateLimiter.headers(token)).send({ errors });
}

function sendRateLimited(reply: FastifyReply, rateLimiter: RateLimiter, token: string, retryAfterSeconds: number): FastifyReply {
  return reply
    .code(429)
    .headers(rateLimiter.headers(token))
    .header('Retry-After', String(retryAfterSeconds))
    .type('text/plain; charset=utf-8')
    .send(`Rate limit exceeded. Wait ${retryAfterSeconds} seconds.`);
}
