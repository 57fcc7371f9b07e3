import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from '../../src/engine/worker.js';
import { defineSolution, installationChanged, jsonEndpoint } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { NewJob } from '../../src/storage/store.js';
import {
  createSigner,
  deliver,
  newKeyRing,
  startRuntime,
  storeProviderPolicy,
  waitFor,
  webhookData,
  type TestRuntime,
} from '../support/harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('per-runbook concurrency', () => {
  let dir: string;
  const stores: SqliteStore[] = [];
  const workers: Worker[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('limits a runbook across workers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-concurrency-'));
    const running = { limited: 0, free: 0 };
    const maxRunning = { limited: 0, free: 0 };
    const finished = { limited: [] as number[], free: [] as number[] };
    const track = (kind: 'limited' | 'free') => async () => {
      running[kind]++;
      maxRunning[kind] = Math.max(maxRunning[kind], running[kind]);
      await sleep(100);
      running[kind]--;
      finished[kind].push(Date.now());
    };
    const solution = defineSolution({
      concurrency: 5,
      runbooks: {
        limited: jsonEndpoint({ path: 'limited', auth: 'none', concurrency: 2 }, track('limited')),
        free: jsonEndpoint({ path: 'free', auth: 'none' }, track('free')),
      },
    });

    // Two processes on one SQLite file: each with its own connection and worker.
    for (let index = 0; index < 2; index++) {
      const store = new SqliteStore({ filename: join(dir, 'xac.sqlite') });
      await store.migrate();
      stores.push(store);
    }
    for (let index = 0; index < 10; index++) {
      const runbook = index < 6 ? 'limited' : 'free';
      const deliveryId = randomUUID();
      const job: NewJob = { id: randomUUID(), runbook, label: `c${index}`, deliveryId, customerAccountId: `c${index}`, appReference: 'app', trigger: {}, maxAttempts: 1, runAt: new Date() };
      await stores[0]!.recordDelivery({
        delivery: { id: deliveryId, route: `/hooks/${runbook}`, event: 'json', receivedAt: new Date(), summary: {}, status: 'accepted' },
        secrets: [],
        jobs: [job],
      });
    }
    for (const [index, store] of stores.entries()) {
      const worker = new Worker({ store, secretStore: new SecretStore(store, newKeyRing()), solution, logger: silentLogger(), pollIntervalMs: 10, workerId: `w${index}` });
      workers.push(worker);
      worker.start();
    }

    await waitFor(async () => ((await stores[0]!.listJobs({ status: 'succeeded' })).length === 10 ? true : undefined), 10_000, 'all jobs');

    expect(maxRunning.limited).toBe(2);
    expect(maxRunning.free).toBeGreaterThan(2);
    // Jobs of other runbooks do not wait behind a runbook at its limit.
    expect(Math.max(...finished.free)).toBeLessThan(Math.max(...finished.limited));
  });
});

describe('ordering of concurrent deliveries', () => {
  let runtime: TestRuntime;

  afterEach(async () => {
    await runtime.close();
  });

  it('runs each customer in delivery order', async () => {
    const runs: Array<{ customer: string; jobId: string; start: number; end: number }> = [];
    const solution = defineSolution({
      concurrency: 8,
      runbooks: {
        changed: installationChanged({ event: 'app_instance.update', appReference: 'app' }, async (ctx) => {
          const start = performance.now();
          await sleep(5 + Math.floor(Math.random() * 10));
          runs.push({ customer: ctx.trigger.customerAccountId, jobId: ctx.job.id, start, end: performance.now() });
        }),
      },
    });
    runtime = await startRuntime(solution, { worker: { pollIntervalMs: 10 } });
    const provider = await createSigner();
    await storeProviderPolicy(runtime, provider);

    const deliveries = [];
    for (let index = 0; index < 8; index++) {
      for (const customer of ['wdc', 'widget']) {
        const data = webhookData('app_instance.update', { app_offering: { reference: 'app' }, customer_account_id: customer, suspended: index % 2 === 0 });
        deliveries.push(deliver(`${runtime.url}/xurrent/installations`, await provider.sign(data)));
      }
    }
    const results = await Promise.all(deliveries);
    expect(results.map((result) => result.status)).toEqual(Array(16).fill(200));
    await waitFor(() => (runs.length === 16 ? true : undefined), 10_000, '16 runs');

    const store = runtime.app.runtime.store;
    for (const customer of ['wdc', 'widget']) {
      const mine = runs.filter((run) => run.customer === customer).sort((a, b) => a.start - b.start);
      const sequences = await Promise.all(mine.map(async (run) => (await store.getJob(run.jobId))!.sequence));
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      for (let index = 1; index < mine.length; index++) {
        expect(mine[index]!.start).toBeGreaterThanOrEqual(mine[index - 1]!.end);
      }
    }
    const overlapping = runs.some((run) => runs.some((other) => other.customer !== run.customer && other.start < run.end && run.start < other.end));
    expect(overlapping).toBe(true);
  });
});
