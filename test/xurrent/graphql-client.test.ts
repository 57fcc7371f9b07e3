import { Writable } from 'node:stream';

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ClientCredentialsTokenSource,
  XurrentGraphqlClient,
  XurrentGraphqlError,
  XurrentHttpError,
  XurrentMutationError,
  XurrentNetworkError,
  XurrentNotFoundError,
  XurrentRateLimitedError,
} from '../../src/xurrent/index.js';
import type { XurrentGraphqlClientOptions, XurrentRateLimitedError as RateLimited } from '../../src/xurrent/index.js';
import { FakeXurrent, fixtureResponse } from './fake-xurrent.js';
import { collect, rejectionOf } from './helpers.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const APP_INSTANCES_QUERY = `query($appReference: String!, $customerAccountId: String!) {
  appInstances(first: 1, filter: {
    appOfferingReference: { values: [$appReference] },
    customerAccount: { values: [$customerAccountId] }
  }) {
    nodes { customFields { id value } disabled enabledByCustomer suspended suspensionComment }
  }
}`;

const WEBHOOK_UPDATE = `mutation($id: ID!, $uri: String!) {
  webhookUpdate(input: { id: $id, uri: $uri }) { webhook { id } errors { path message } }
}`;

const WEBHOOK_POLICY_UPDATE = `mutation($id: ID!) {
  webhookPolicyUpdate(input: { id: $id, disabled: false }) { webhookPolicy { id } errors { path message } }
}`;

const PAGED_QUERY = `query Offerings($after: String) {
  appOfferings(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
}`;

let xurrent: FakeXurrent;
let sleeps: number[];

beforeEach(async () => {
  xurrent = await FakeXurrent.start();
  sleeps = [];
});

afterEach(async () => {
  await xurrent.close();
});

function client(options: Partial<XurrentGraphqlClientOptions> = {}): XurrentGraphqlClient {
  const tokenSource = new ClientCredentialsTokenSource({
    tokenUrl: xurrent.tokenUrl,
    clientId: 'provider-client',
    clientSecret: 'provider-secret',
  });
  return new XurrentGraphqlClient({
    graphqlUrl: xurrent.graphqlUrl,
    account: 'wdc',
    tokenSource,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

function dataOnly(payload: unknown) {
  return { body: { data: payload } };
}

describe('XurrentGraphqlClient.query', () => {
  it('returns data of the fixture', async () => {
    const fixture = fixtureResponse('appInstances.app-config.ipaas-spec');
    xurrent.respond('graphql', fixture);

    const data = await client().query(APP_INSTANCES_QUERY, { appReference: 'weu_it_phone', customerAccountId: 'wdc' });

    expect(data).toEqual((fixture.body as { data: unknown }).data);
  });

  it('sends the expected request', async () => {
    xurrent.respond('graphql', fixtureResponse('appInstances.suspended.ipaas-spec'));
    const variables = { appReference: 'weu_it_phone', customerAccountId: 'wdc' };

    await client().query(APP_INSTANCES_QUERY, variables, { operationName: 'FindAppConfig' });

    const [request] = xurrent.requests.graphql;
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe('Bearer token-1');
    expect(request?.headers['x-xurrent-account']).toBe('wdc');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toEqual({ query: APP_INSTANCES_QUERY, variables, operationName: 'FindAppConfig' });
  });

  it('omits empty variables', async () => {
    xurrent.respond('graphql', dataOnly({ me: { id: '1' } }));

    await client().query('{ me { id } }', {});

    expect(xurrent.requests.graphql[0]?.body).toEqual({ query: '{ me { id } }' });
  });

  it('reuses the token across calls', async () => {
    xurrent.setDefault('graphql', dataOnly({ me: { id: '1' } }));
    const graphql = client();

    await graphql.query('{ me { id } }');
    await graphql.query('{ me { id } }');

    expect(xurrent.requests.token).toHaveLength(1);
  });

  it('raises top-level errors', async () => {
    xurrent.respond('graphql', fixtureResponse('errors.mixed.ipaas-spec'));

    const error = await rejectionOf(client().query(WEBHOOK_POLICY_UPDATE, { id: 'p1' }));

    expect(error).toBeInstanceOf(XurrentGraphqlError);
    expect(error).not.toBeInstanceOf(XurrentNotFoundError);
    expect(error.message).toBe('webhookPolicyUpdate failed: Not Found; Unauthorized');
    expect((error as XurrentGraphqlError).errors[1]).toEqual({
      message: 'Unauthorized',
      locations: [{ line: 1, column: 22 }],
      path: ['webhookPolicyUpdate'],
    });
  });

  it('raises Not Found', async () => {
    xurrent.respond('graphql', fixtureResponse('errors.not-found.ipaas-spec'));

    const error = await rejectionOf(client().query(WEBHOOK_POLICY_UPDATE, { id: 'p1' }));

    expect(error).toBeInstanceOf(XurrentNotFoundError);
    expect((error as XurrentNotFoundError).code).toBe('XURRENT_NOT_FOUND');
    expect(error.message).toBe('webhookPolicyUpdate failed: Not Found');
  });

  it('raises on empty data', async () => {
    xurrent.respond('graphql', fixtureResponse('errors.empty-data.ipaas-spec'));

    const error = await rejectionOf(client().query('query Me { me { id } }'));

    expect(error).toBeInstanceOf(XurrentGraphqlError);
    expect(error.message).toBe('Me failed: no data in the Xurrent GraphQL response');
  });

  it('raises on HTTP 500', async () => {
    xurrent.respond('graphql', fixtureResponse('errors.http-500.ipaas-spec'));

    const error = await rejectionOf(client().query(APP_INSTANCES_QUERY));

    expect(error).toBeInstanceOf(XurrentHttpError);
    expect((error as XurrentHttpError).status).toBe(500);
    expect((error as XurrentHttpError).retryable).toBe(true);
    expect(error.message).toBe('appInstances failed with HTTP 500: boom');
  });

  it('raises on a body that is not JSON', async () => {
    xurrent.respond('graphql', { body: '<html>maintenance</html>' });

    const error = await rejectionOf(client().query(APP_INSTANCES_QUERY));

    expect(error.message).toBe('appInstances failed with HTTP 200 (the body is not a JSON object): <html>maintenance</html>');
  });

  it('times out a slow response', async () => {
    xurrent.respond('graphql', { delayMs: 500, body: { data: { me: { id: '1' } } } });

    const error = await rejectionOf(client({ timeoutMs: 50 }).query('{ me { id } }'));

    expect(error).toBeInstanceOf(XurrentNetworkError);
    expect(error.message).toBe(`me failed: no response from ${xurrent.graphqlUrl}: timed out after 50 ms`);
  });

  it('redacts the token in a body excerpt', async () => {
    xurrent.respond('graphql', (request) => ({ status: 400, body: `bad header ${String(request.headers.authorization)}` }));

    const error = await rejectionOf(client().query(APP_INSTANCES_QUERY));

    expect(error.message).toBe('appInstances failed with HTTP 400: bad header Bearer [REDACTED]');
  });
});

describe('XurrentGraphqlClient.mutate', () => {
  it('returns the payload', async () => {
    xurrent.respond('graphql', fixtureResponse('webhookUpdate.ok.ipaas-spec'));

    const payload = await client().mutate('webhookUpdate', WEBHOOK_UPDATE, { id: 'w1', uri: 'https://x.test' });

    expect(payload).toEqual({ webhook: { id: 'provider-secrets-webhook-id' } });
  });

  it('raises payload errors with list paths', async () => {
    xurrent.respond('graphql', dataOnly({ webhookUpdate: { webhook: null, errors: [{ path: ['uri'], message: 'is invalid' }] } }));

    const error = await rejectionOf(client().mutate('webhookUpdate', WEBHOOK_UPDATE, { id: 'w1', uri: 'x' }));

    expect(error).toBeInstanceOf(XurrentMutationError);
    expect(error.message).toBe('webhookUpdate failed: uri: is invalid');
    expect((error as XurrentMutationError).errors).toEqual([{ path: ['uri'], message: 'is invalid' }]);
  });

  it('raises payload errors with string paths', async () => {
    xurrent.respond('graphql', fixtureResponse('webhookPolicyCreate.errors.ipaas-spec'));

    const error = await rejectionOf(client().mutate('webhookPolicyCreate', 'mutation { webhookPolicyCreate(input: {}) { errors { path message } } }'));

    expect(error.message).toBe('webhookPolicyCreate failed: webhookPolicy.jwtAlg: Invalid JWT algorithm: FOO');
  });

  it('joins several payload errors', async () => {
    xurrent.respond(
      'graphql',
      dataOnly({
        webhookUpdate: {
          errors: [
            { path: ['attributes', 'uri'], message: 'is invalid' },
            { path: null, message: 'Webhook is disabled' },
          ],
        },
      }),
    );

    const error = await rejectionOf(client().mutate('webhookUpdate', WEBHOOK_UPDATE, {}));

    expect(error.message).toBe('webhookUpdate failed: attributes.uri: is invalid; Webhook is disabled');
  });

  it('names the mutation on Not Found', async () => {
    xurrent.respond('graphql', fixtureResponse('errors.not-found.ipaas-spec'));

    const error = await rejectionOf(client().mutate('webhookPolicyUpdate', WEBHOOK_POLICY_UPDATE, { id: 'gone' }));

    expect(error).toBeInstanceOf(XurrentNotFoundError);
    expect(error.message).toBe('webhookPolicyUpdate failed: Not Found');
  });

  it('raises on a missing payload', async () => {
    xurrent.respond('graphql', dataOnly({ webhookUpdate: null }));

    const error = await rejectionOf(client().mutate('webhookUpdate', WEBHOOK_UPDATE, {}));

    expect(error.message).toBe('webhookUpdate failed: the response has no webhookUpdate payload');
  });
});

describe('XurrentGraphqlClient token refresh', () => {
  it('retries once after 401', async () => {
    xurrent.respond('graphql', { status: 401, body: 'Unauthorized' }, dataOnly({ me: { id: '1' } }));

    const data = await client().query('{ me { id } }');

    expect(data).toEqual({ me: { id: '1' } });
    expect(xurrent.requests.token).toHaveLength(2);
    expect(xurrent.requests.graphql.map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('raises on a second 401', async () => {
    xurrent.setDefault('graphql', { status: 401, body: 'Unauthorized' });

    const error = await rejectionOf(client().query('{ me { id } }'));

    expect(error).toBeInstanceOf(XurrentHttpError);
    expect(error.message).toBe(
      'me failed with HTTP 401 (access token rejected again after requesting a new one): Unauthorized',
    );
    expect(xurrent.requests.graphql).toHaveLength(2);
    expect(xurrent.requests.token).toHaveLength(2);
  });
});

describe('XurrentGraphqlClient rate limits', () => {
  it('waits Retry-After seconds', async () => {
    xurrent.respond(
      'graphql',
      { status: 429, body: 'Wait 10 seconds', headers: { 'retry-after': '10' } },
      dataOnly({ me: { id: '1' } }),
    );

    const data = await client().query('{ me { id } }');

    expect(data).toEqual({ me: { id: '1' } });
    expect(sleeps).toEqual([10_000]);
    expect(xurrent.requests.graphql).toHaveLength(2);
  });

  it('waits until a Retry-After date', async () => {
    const retryAt = new Date(NOW + 42_000).toUTCString();
    xurrent.respond('graphql', { status: 429, body: '', headers: { 'retry-after': retryAt } }, dataOnly({ me: { id: '1' } }));

    await client().query('{ me { id } }');

    expect(sleeps).toEqual([42_000]);
  });

  it('waits 60 s on 503 without Retry-After', async () => {
    xurrent.respond('graphql', { status: 503, body: 'maintenance' }, dataOnly({ me: { id: '1' } }));

    await client().query('{ me { id } }');

    expect(sleeps).toEqual([60_000]);
  });

  it('stops at the wait cap', async () => {
    xurrent.setDefault('graphql', { status: 429, body: 'Wait 100 seconds', headers: { 'retry-after': '100' } });

    const error = await rejectionOf(client({ maxWaitMs: 250_000 }).query('{ me { id } }'));

    expect(error).toBeInstanceOf(XurrentRateLimitedError);
    expect(error.message).toBe('me failed with HTTP 429 (Xurrent rate limit reached, retry after 100 s): Wait 100 seconds');
    expect(sleeps).toEqual([100_000, 100_000]);
    expect(xurrent.requests.graphql).toHaveLength(3);
  });

  it('hands the error to the hook', async () => {
    xurrent.setDefault('graphql', { status: 429, body: 'Wait 10 seconds', headers: { 'retry-after': '10' } });
    const seen: RateLimited[] = [];
    const onRateLimited = (error: RateLimited) => {
      seen.push(error);
      throw new Error(`back off ${error.retryAfterSeconds} s`);
    };

    const error = await rejectionOf(client({ onRateLimited }).query('{ me { id } }'));

    expect(error.message).toBe('back off 10 s');
    expect(seen[0]?.status).toBe(429);
    expect(sleeps).toEqual([]);
    expect(xurrent.requests.graphql).toHaveLength(1);
  });

  it('waits when the hook returns', async () => {
    xurrent.respond('graphql', { status: 429, headers: { 'retry-after': '3' } }, dataOnly({ me: { id: '1' } }));
    let calls = 0;

    await client({ onRateLimited: () => void calls++ }).query('{ me { id } }');

    expect(calls).toBe(1);
    expect(sleeps).toEqual([3_000]);
  });

  it('keeps the limit headers', async () => {
    xurrent.respond('graphql', {
      body: { data: { me: { id: '1' } } },
      headers: {
        'x-ratelimit-limit': '3600',
        'x-ratelimit-remaining': '3599',
        'x-ratelimit-reset': '1767272400',
        'x-costlimit-limit': '5000',
        'x-costlimit-cost': '1',
        'x-costlimit-remaining': '4999',
        'x-costlimit-reset': '1767272400',
        'x-request-id': 'Root36a4573f-8036-463a-bf43-48d75c62218f',
      },
    });
    const graphql = client();

    await graphql.query('{ me { id } }');

    expect(graphql.rateLimit).toEqual({
      requests: { limit: 3600, remaining: 3599, resetEpochSeconds: 1767272400 },
      cost: { limit: 5000, remaining: 4999, cost: 1, resetEpochSeconds: 1767272400 },
      requestId: 'Root36a4573f-8036-463a-bf43-48d75c62218f',
    });
  });

  it('warns once when nearly used up', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'warn' }, stream);
    const lowHeaders = { 'x-ratelimit-limit': '3600', 'x-ratelimit-remaining': '359', 'x-ratelimit-reset': '1767272400' };
    xurrent.setDefault('graphql', { body: { data: { me: { id: '1' } } }, headers: lowHeaders });
    const graphql = client({ logger });

    await graphql.query('{ me { id } }');
    await graphql.query('{ me { id } }');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      operation: 'me',
      account: 'wdc',
      kind: 'requests',
      limit: 3600,
      remaining: 359,
      msg: 'less than 10% of the Xurrent requests limit remains (X-RateLimit-Remaining 359 of 3600)',
    });
  });

  it('stays quiet above 10 percent', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    xurrent.respond('graphql', {
      body: { data: { me: { id: '1' } } },
      headers: { 'x-costlimit-limit': '5000', 'x-costlimit-remaining': '500' },
    });

    await client({ logger: pino({ level: 'warn' }, stream) }).query('{ me { id } }');

    expect(lines).toEqual([]);
  });
});

describe('XurrentGraphqlClient.paginate', () => {
  it('follows three pages', async () => {
    const page = (ids: string[], hasNextPage: boolean, endCursor: string | null) =>
      dataOnly({ appOfferings: { nodes: ids.map((id) => ({ id })), pageInfo: { hasNextPage, endCursor } } });
    xurrent.respond('graphql', page(['a', 'b'], true, 'c1'), page(['c', 'd'], true, 'c2'), page(['e'], false, null));

    const ids: string[] = [];
    for await (const node of client().paginate<{ id: string }>(PAGED_QUERY, { published: true }, 'appOfferings')) {
      ids.push(node.id);
    }

    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(xurrent.requests.graphql.map((request) => (request.body as { variables: unknown }).variables)).toEqual([
      { published: true },
      { published: true, after: 'c1' },
      { published: true, after: 'c2' },
    ]);
  });

  it('follows a nested path', async () => {
    xurrent.respond(
      'graphql',
      dataOnly({ account: { appInstances: { nodes: [{ id: 'i1' }], pageInfo: { hasNextPage: false, endCursor: 'x' } } } }),
    );

    const nodes = await collect(client().paginate(PAGED_QUERY, {}, 'account.appInstances'));

    expect(nodes).toEqual([{ id: 'i1' }]);
  });

  it('stops on a repeated cursor', async () => {
    const page = dataOnly({ appOfferings: { nodes: [{ id: 'a' }], pageInfo: { hasNextPage: true, endCursor: 'same' } } });
    xurrent.setDefault('graphql', page);

    const error = await rejectionOf(collect(client().paginate(PAGED_QUERY, {}, 'appOfferings')));

    expect(error.message).toBe('Offerings failed: hasNextPage is true at appOfferings but endCursor is missing or did not advance');
    expect(xurrent.requests.graphql).toHaveLength(2);
  });

  it('raises without pageInfo', async () => {
    xurrent.respond('graphql', dataOnly({ appOfferings: { nodes: [] } }));

    const error = await rejectionOf(collect(client().paginate(PAGED_QUERY, {}, 'appOfferings')));

    expect(error.message).toBe(
      'Offerings failed: the connection at appOfferings has no pageInfo; select pageInfo { hasNextPage endCursor }',
    );
  });

  it('raises on a missing connection', async () => {
    xurrent.respond('graphql', dataOnly({ other: {} }));

    const error = await rejectionOf(collect(client().paginate(PAGED_QUERY, {}, 'appOfferings')));

    expect(error.message).toBe('Offerings failed: the response has no connection at appOfferings');
  });
});
