import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XurrentConnection } from '../../src/connection/xurrent-connection.js';
import { Worker } from '../../src/engine/worker.js';
import { defineSolution, jsonEndpoint, type AsyncUrlsOptions } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import { resolveConnectionSettings, type XurrentFileConfig } from '../../src/xurrent/connection-settings.js';
import { newKeyRing } from '../support/harness.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');

const SUBMIT = `mutation Submit($input: DiscoveredConfigurationItemsInput!) {
  discoveredConfigurationItems(input: $input) { errors { path message } asyncQuery { resultUrl } }
}`;

interface Recorded {
  path: string;
  headers: IncomingHttpHeaders;
}

/** Starts an HTTP server on 127.0.0.1 that records each request and responds from a table of paths. */
async function startFileServer(files: Map<string, { status: number; body: string; location?: string }>) {
  const requests: Recorded[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    const file = files.get(request.url ?? '') ?? { status: 404, body: '{"message":"not found"}' };
    response.writeHead(file.status, { 'content-type': 'application/json', ...(file.location ? { location: file.location } : {}) });
    response.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('file server did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ctx.asyncUrls', () => {
  let dir: string;
  let databasePath: string;
  let store: SqliteStore;
  let secretStore: SecretStore;
  let sim: RunningSimulator;
  let simMs: number;
  let nowMs: number;
  const runs: string[][] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-async-urls-'));
    databasePath = join(dir, 'xac.sqlite');
    store = new SqliteStore({ filename: databasePath });
    await store.migrate();
    secretStore = new SecretStore(store, newKeyRing());
    simMs = Date.now();
    nowMs = T0;
    sim = await startSimulator({ clock: { now: () => simMs }, rateLimits: { burstRequests: 10_000 } });
    runs.length = 0;
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await sim.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function connection(fileConfig: XurrentFileConfig = {}): XurrentConnection {
    const settings = resolveConnectionSettings(
      {
        XAC_PROVIDER_ACCOUNT: sim.providerAccountId,
        XAC_PROVIDER_CLIENT_ID: sim.providerApplication.clientId,
        XAC_PROVIDER_CLIENT_SECRET: sim.providerApplication.clientSecret,
        XAC_XURRENT_OAUTH_URL: `${sim.oauthUrl}/token`,
        XAC_XURRENT_GRAPHQL_URL: sim.graphqlUrl,
        XAC_XURRENT_ACCOUNT_URL_PATTERN: sim.accountUrlPattern,
      },
      fileConfig,
    );
    return new XurrentConnection(settings, store, secretStore);
  }

  /** Creates a new worker, as after a restart, whose runbook polls the trigger's URLs and records what each run yields. */
  function worker(options: AsyncUrlsOptions, link: XurrentConnection = connection()): Worker {
    return new Worker({
      store,
      secretStore,
      connection: link,
      solution: defineSolution({
        runbooks: {
          poll: jsonEndpoint({ path: 'poll', auth: 'none' }, async (ctx) => {
            const yielded: string[] = [];
            runs.push(yielded);
            for await (const { url } of ctx.asyncUrls((ctx.trigger.body as { urls: string[] }).urls, options)) yielded.push(url);
          }),
        },
      }),
      logger: silentLogger(),
      now: () => new Date(nowMs),
      workerId: `worker-${randomUUID().slice(0, 8)}`,
    });
  }

  async function enqueue(urls: string[]): Promise<string> {
    const id = randomUUID();
    const delivery = randomUUID();
    await store.recordDelivery({
      delivery: { id: delivery, route: '/hooks/poll', event: 'json', receivedAt: new Date(nowMs), summary: {}, status: 'accepted' },
      secrets: [],
      jobs: [
        {
          id,
          runbook: 'poll',
          label: 'wdc',
          deliveryId: delivery,
          customerAccountId: 'wdc',
          appReference: 'app',
          trigger: { body: { urls }, headers: {}, delivery },
          maxAttempts: 3,
          runAt: new Date(nowMs),
        },
      ],
    });
    return id;
  }

  /** Submits discovered CIs in the provider account; the result is ready after delayMs of simulator time. */
  async function asyncQuery(delayMs: number, name: string): Promise<string> {
    await sim.control.setAsyncResultDelay({ ms: delayMs });
    const payload = await connection()
      .provider()
      .mutate<{ asyncQuery: { resultUrl: string } }>('discoveredConfigurationItems', SUBMIT, {
        input: { source: 'test', physicalAssets: [{ configurationItems: [{ sourceID: name, name }] }] },
      });
    return payload.asyncQuery.resultUrl;
  }

  async function runAfter(seconds: number, options: AsyncUrlsOptions) {
    nowMs += seconds * 1000;
    await worker(options).drain();
  }

  it('yields in ready order across backoffs', async () => {
    const first = await asyncQuery(3000, 'first');
    const second = await asyncQuery(2000, 'second');
    const third = await asyncQuery(1000, 'third');
    const id = await enqueue([first, second, third]);
    const options = { backoff: 10 };

    await worker(options).drain();
    expect(await store.getJob(id)).toMatchObject({
      status: 'queued',
      backoffs: 1,
      runAt: new Date(nowMs + 10_000),
      lastError: `asyncUrls: waiting for 3 of 3 results: ${first}, ${second}, ${third}`,
    });
    for (let step = 0; step < 3; step++) {
      simMs += 1000;
      await runAfter(10, options);
    }

    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', backoffs: 3 });
    expect(runs).toEqual([[], [third], [third, second], [third, second, first]]);
  });

  it('yields in list order within one poll', async () => {
    const first = await asyncQuery(0, 'first');
    const second = await asyncQuery(0, 'second');
    const id = await enqueue([first, second]);
    await worker({}).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', backoffs: 0 });
    expect(runs).toEqual([[first, second]]);
  });

  it('fails after maxIterations polls', async () => {
    const never = await asyncQuery(3_600_000, 'never');
    const id = await enqueue([never]);
    const options = { backoff: 5, maxIterations: 2 };
    await worker(options).drain();
    await runAfter(5, options);
    expect(await store.getJob(id)).toMatchObject({ status: 'queued', backoffs: 2 });
    await runAfter(5, options);
    expect(await store.getJob(id)).toMatchObject({
      status: 'failed',
      backoffs: 2,
      lastError: `asyncUrls: 1 of 1 results still not ready after 2 polls (maxIterations 2): ${never}`,
    });
  });

  it('backs off for Retry-After on 429', async () => {
    const url = await asyncQuery(0, 'limited');
    await sim.control.addFault({ target: 'asyncResult', fault: { kind: 'rateLimit', retryAfterSeconds: 7 } });
    const id = await enqueue([url]);
    await worker({ backoff: 60 }).drain();
    expect(await store.getJob(id)).toMatchObject({
      status: 'queued',
      backoffs: 1,
      runAt: new Date(nowMs + 7000),
      lastError: `asyncUrls: GET ${url} returned HTTP 429 (rate limited; retry after 7 s)`,
    });
    await runAfter(7, {});
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(runs).toEqual([[], [url]]);
  });

  it('fails on another status', async () => {
    const url = await asyncQuery(0, 'broken');
    await sim.control.addFault({ target: 'asyncResult', fault: { kind: 'status', status: 500 } });
    const id = await enqueue([url]);
    await worker({}).drain();
    expect(await store.getJob(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: `asyncUrls: GET ${url} failed with HTTP 500; the link may have expired`,
    });
  });

  it('leaves a signed query out of messages', async () => {
    const url = `${sim.url}/async_results/expired.json?X-Amz-Expires=60&X-Amz-Signature=f00dfeed`;
    const id = await enqueue([url]);
    await worker({}).drain();
    const job = await store.getJob(id);
    expect(job).toMatchObject({
      status: 'failed',
      lastError: `asyncUrls: GET ${sim.url}/async_results/expired.json failed with HTTP 404; the link may have expired`,
    });
    expect(job?.lastError).not.toContain('f00dfeed');
  });

  it('fails on a body that is not JSON', async () => {
    const url = await asyncQuery(0, 'garbled');
    await sim.control.addFault({ target: 'asyncResult', fault: { kind: 'malformedJson' } });
    const id = await enqueue([url]);
    await worker({}).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'failed', lastError: `asyncUrls: the result at ${url} is not valid JSON` });
  });

  it('sends credentials only to Xurrent hosts', async () => {
    const files = new Map<string, { status: number; body: string; location?: string }>();
    const xurrentHost = await startFileServer(files);
    const otherHost = await startFileServer(files);
    cleanups.push(xurrentHost.close, otherHost.close);
    files.set('/v1/results/1.json', { status: 200, body: '{"data":{"n":1}}' });
    files.set('/results/2.json', { status: 200, body: '{"data":{"n":2}}' });
    files.set('/v1/redirect', { status: 302, body: '', location: `${otherHost.url}/results/3.json` });
    files.set('/results/3.json', { status: 200, body: '{"data":{"n":3}}' });
    // The REST origin is one of the connection's Xurrent hosts; the second server is any other host.
    const link = connection({ restUrl: `${xurrentHost.url}/v1` });
    const urls = [`${xurrentHost.url}/v1/results/1.json`, `${otherHost.url}/results/2.json`, `${xurrentHost.url}/v1/redirect`];
    const id = await enqueue(urls);

    await worker({}, link).drain();

    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(runs).toEqual([urls]);
    const toXurrent = xurrentHost.requests.map((request) => request.path);
    const toOther = otherHost.requests.map((request) => request.path);
    expect(toXurrent).toEqual(['/v1/results/1.json', '/v1/redirect']);
    expect(toOther).toEqual(['/results/2.json', '/results/3.json']);
    for (const request of xurrentHost.requests) {
      expect(request.headers['x-xurrent-account']).toBe('provider');
      const introspection = await fetch(`${sim.oauthUrl}/introspect`, {
        headers: { authorization: String(request.headers.authorization), 'x-xurrent-account': 'provider' },
      });
      expect(introspection.status).toBe(200);
    }
    for (const request of otherHost.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['x-xurrent-account']).toBeUndefined();
    }
  });

  it('polls only pending URLs after a restart', async () => {
    const files = new Map<string, { status: number; body: string }>();
    const host = await startFileServer(files);
    cleanups.push(host.close);
    files.set('/ready.json', { status: 200, body: '{"data":{"customer":"result-marker-91c2"}}' });
    files.set('/later.json', { status: 200, body: '{}' });
    const urls = [`${host.url}/ready.json`, `${host.url}/later.json`];
    const id = await enqueue(urls);

    await worker({ backoff: 30 }).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'queued', backoffs: 1 });
    files.set('/later.json', { status: 200, body: '{"data":{"n":2}}' });
    await runAfter(30, { backoff: 30 });

    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(runs).toEqual([[urls[0]], [urls[0], urls[1]]]);
    expect(host.requests.map((request) => request.path)).toEqual(['/ready.json', '/later.json', '/later.json']);
    const bytes = Buffer.concat([databasePath, `${databasePath}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
    expect(bytes.includes('result-marker-91c2')).toBe(false);
  });
});
