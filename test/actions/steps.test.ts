import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_PAIR } from '../../src/connection/token-persistence.js';
import { Worker } from '../../src/engine/worker.js';
import { defineSolution, jsonEndpoint, type RunbookHandler, type JsonEndpointOutput } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { NewJob } from '../../src/storage/store.js';
import { newKeyRing } from '../support/harness.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');

describe('ctx.step', () => {
  let dir: string;
  let databasePath: string;
  let store: SqliteStore;
  let secretStore: SecretStore;
  let nowMs: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-steps-'));
    databasePath = join(dir, 'xac.sqlite');
    store = new SqliteStore({ filename: databasePath });
    await store.migrate();
    secretStore = new SecretStore(store, newKeyRing());
    nowMs = T0;
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a worker as a fresh process would, with its own id and the shared store. */
  function worker(handler: RunbookHandler<JsonEndpointOutput>): Worker {
    return new Worker({
      store,
      secretStore,
      solution: defineSolution({ runbooks: { steps: jsonEndpoint({ path: 'steps', auth: 'none' }, handler) } }),
      logger: silentLogger(),
      now: () => new Date(nowMs),
      workerId: `worker-${randomUUID().slice(0, 8)}`,
      retryPolicy: { baseDelayMs: 1000, maxDelayMs: 1000 },
    });
  }

  async function enqueue(overrides: Partial<NewJob> = {}): Promise<string> {
    const id = randomUUID();
    const delivery = randomUUID();
    await store.recordDelivery({
      delivery: { id: delivery, route: '/hooks/steps', event: 'json', receivedAt: new Date(nowMs), summary: {}, status: 'accepted' },
      secrets: [],
      jobs: [
        {
          id,
          runbook: 'steps',
          label: 'wdc',
          deliveryId: delivery,
          customerAccountId: 'wdc',
          appReference: 'app',
          trigger: { body: { marker: 'trigger-marker-7f3a' }, headers: {}, delivery },
          maxAttempts: 3,
          runAt: new Date(nowMs),
          ...overrides,
        },
      ],
    });
    return id;
  }

  it('skips a completed step after a crash', async () => {
    const calls = { one: 0, two: 0 };
    const results: unknown[] = [];
    let crash = true;
    const handler: RunbookHandler<JsonEndpointOutput> = async (ctx) => {
      const one = await ctx.step('create ticket', () => {
        calls.one++;
        return { ticket: 'T-1', at: new Date(T0) };
      });
      if (crash) {
        crash = false;
        throw new Error('process died after step one');
      }
      const two = await ctx.step('notify', async () => {
        calls.two++;
        return 'sent';
      });
      results.push(one, two);
    };
    const id = await enqueue();

    await worker(handler).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'Error: process died after step one' });
    nowMs += 1000;
    await worker(handler).drain();

    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(calls).toEqual({ one: 1, two: 1 });
    expect(results).toEqual([{ ticket: 'T-1', at: '2026-12-04T10:00:00.000Z' }, 'sent']);
  });

  it('returns the JSON form on the first run', async () => {
    const results: unknown[] = [];
    const id = await enqueue();
    await worker(async (ctx) => {
      results.push(await ctx.step('dated', () => ({ at: new Date(T0), gone: undefined })));
    }).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(results).toEqual([{ at: '2026-12-04T10:00:00.000Z' }]);
  });

  it('replays an undefined result', async () => {
    let calls = 0;
    let first = true;
    const seen: unknown[] = [];
    const id = await enqueue();
    const handler: RunbookHandler<JsonEndpointOutput> = async (ctx) => {
      seen.push(
        await ctx.step('side effect', () => {
          calls++;
        }),
      );
      if (first) {
        first = false;
        ctx.backoff('again', { retryAfter: 1 });
      }
    };
    await worker(handler).drain();
    nowMs += 1000;
    await worker(handler).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', backoffs: 1 });
    expect(calls).toBe(1);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('keeps step results out of the file in plain text', async () => {
    const id = await enqueue();
    await worker(async (ctx) => {
      await ctx.step('fetch api key', () => ({ apiKey: 'sk-live-4b1d-secret-value' }));
    }).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });

    const files = [databasePath, `${databasePath}-wal`].filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    // The trigger is stored in plain text, which shows that the search reaches the stored rows.
    expect(bytes.includes('trigger-marker-7f3a')).toBe(true);
    expect(bytes.includes('sk-live-4b1d-secret-value')).toBe(false);
    expect((await store.getStep(id, 'fetch api key'))?.encrypted).toBe(true);
  });

  it('seals under the provider key without a customer', async () => {
    const id = await enqueue({ customerAccountId: undefined, appReference: undefined });
    await worker(async (ctx) => {
      await ctx.step('provider work', () => 42);
    }).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(await store.getDataKey(PROVIDER_PAIR.customerAccountId, PROVIDER_PAIR.appReference)).toBeDefined();
    expect(await store.getDataKey('wdc', 'app')).toBeUndefined();
  });

  it('rejects a step name used twice in a run', async () => {
    const id = await enqueue();
    await worker(async (ctx) => {
      await ctx.step('same', () => 1);
      await ctx.step('same', () => 2);
    }).drain();
    expect(await store.getJob(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: `step "same" ran twice in one run of job ${id}; give each step its own name`,
    });
  });

  it('allows a failed step again in the same run', async () => {
    const id = await enqueue();
    const seen: unknown[] = [];
    await worker(async (ctx) => {
      await ctx.step('flaky', () => Promise.reject(new Error('first try'))).catch(() => undefined);
      seen.push(await ctx.step('flaky', () => 'second try'));
    }).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded' });
    expect(seen).toEqual(['second try']);
  });

  it('reserves names starting with @', async () => {
    const id = await enqueue();
    await worker(async (ctx) => {
      await ctx.step('@updateAppConfig#1', () => 'x');
    }).drain();
    expect(await store.getJob(id)).toMatchObject({
      status: 'failed',
      lastError: `ctx.step("@updateAppConfig#1"): names starting with "@" are reserved for the runtime's own steps; rename the step`,
    });
  });
});
