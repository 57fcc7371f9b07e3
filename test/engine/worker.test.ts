import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from '../../src/engine/worker.js';
import { retryDelayMs, DEFAULT_RETRY_POLICY } from '../../src/engine/retry-policy.js';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { defineSolution, installationChanged, type Solution } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';
import type { NewJob } from '../../src/storage/store.js';
import { newKeyRing } from '../support/harness.js';

class ManualClock {
  constructor(public ms = Date.parse('2026-12-04T10:00:00Z')) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

describe('worker', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ManualClock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-worker-'));
    store = new SqliteStore({ filename: join(dir, 'xac.sqlite') });
    await store.migrate();
    clock = new ManualClock();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function worker(solution: Solution, id = 'worker-1') {
    return new Worker({
      store,
      secretStore: new SecretStore(store, newKeyRing()),
      solution,
      logger: silentLogger(),
      now: clock.now,
      workerId: id,
      leaseMs: 30_000,
      retryPolicy: { baseDelayMs: 1000, maxDelayMs: 8000 },
    });
  }

  async function enqueue(runbook: string, overrides: Partial<NewJob> = {}) {
    const id = randomUUID();
    const delivery = overrides.deliveryId ?? randomUUID();
    await store.recordDelivery({
      delivery: { id: delivery, route: '/test', event: 'app_instance.create', receivedAt: clock.now(), summary: {}, status: 'accepted' },
      secrets: [],
      jobs: [{ id, runbook, label: 'test', deliveryId: delivery, trigger: { n: 1 }, maxAttempts: 3, runAt: clock.now(), ...overrides }],
    });
    return id;
  }

  it('retries with growing delays and fails after maxAttempts', async () => {
    let runs = 0;
    const solution = defineSolution({
      runbooks: {
        flaky: installationChanged({ event: 'app_instance.create' }, () => {
          runs++;
          throw new Error('upstream timed out');
        }),
      },
    });
    const id = await enqueue('flaky');
    const w = worker(solution);

    expect(await w.drain()).toBe(1);
    let job = await store.getJob(id);
    expect(job?.status).toBe('queued');
    expect(job?.attempts).toBe(1);
    expect(job?.lastError).toBe('Error: upstream timed out');
    const firstDelay = job!.runAt.getTime() - clock.ms;
    expect(firstDelay).toBeGreaterThanOrEqual(500);
    expect(firstDelay).toBeLessThanOrEqual(1000);

    expect(await w.drain()).toBe(0);
    clock.advance(firstDelay);
    await w.drain();
    job = await store.getJob(id);
    const secondDelay = job!.runAt.getTime() - clock.ms;
    expect(secondDelay).toBeGreaterThanOrEqual(1000);
    expect(secondDelay).toBeLessThanOrEqual(2000);

    clock.advance(secondDelay);
    await w.drain();
    job = await store.getJob(id);
    expect(job?.status).toBe('failed');
    expect(job?.lastError).toBe('Error: upstream timed out (attempt 3 of 3, no retries left)');
    expect(runs).toBe(3);
  });

  it('backs off without using up an attempt', async () => {
    let runs = 0;
    const solution = defineSolution({
      runbooks: {
        waits: installationChanged({ event: 'app_instance.create' }, (ctx) => {
          runs++;
          if (runs < 3) ctx.backoff('secrets not there yet', { retryAfter: 45 });
          ctx.log.info('done waiting', { runs });
        }),
      },
    });
    const id = await enqueue('waits');
    const w = worker(solution);
    await w.drain();
    let job = await store.getJob(id);
    expect(job).toMatchObject({ status: 'queued', attempts: 0, backoffs: 1, lastError: 'secrets not there yet' });
    expect(job!.runAt.getTime() - clock.ms).toBe(45_000);

    clock.advance(45_000);
    await w.drain();
    clock.advance(45_000);
    await w.drain();
    job = await store.getJob(id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, backoffs: 2 });
    const logs = await store.getJobLogs(id);
    expect(logs.map((line) => [line.level, line.message, line.data])).toEqual([['info', 'done waiting', { runs: 3 }]]);
  });

  it('fails at once on ctx.fail', async () => {
    const solution = defineSolution({
      runbooks: { stops: installationChanged({ event: 'app_instance.create' }, (ctx) => ctx.fail('customer disabled the app')) },
    });
    const id = await enqueue('stops');
    await worker(solution).drain();
    expect(await store.getJob(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'customer disabled the app' });
  });

  it('bounds the number of backoffs', async () => {
    const solution = defineSolution({
      runbooks: { forever: installationChanged({ event: 'app_instance.create' }, (ctx) => ctx.backoff('never ready', { retryAfter: 1 })) },
    });
    const id = await enqueue('forever');
    const w = new Worker({
      store,
      secretStore: new SecretStore(store, newKeyRing()),
      solution,
      logger: silentLogger(),
      now: clock.now,
      retryPolicy: { maxBackoffs: 2 },
    });
    for (let i = 0; i < 3; i++) {
      await w.drain();
      clock.advance(1000);
    }
    expect(await store.getJob(id)).toMatchObject({ status: 'failed', lastError: 'backed off 2 times, the limit; last reason: never ready' });
  });

  it('reclaims a job whose lease ran out', async () => {
    const solution = defineSolution({ runbooks: { job: installationChanged({ event: 'app_instance.create' }, () => {}) } });
    const id = await enqueue('job');
    const claimed = await store.claimJob('crashed-worker', 30_000, clock.now());
    expect(claimed?.id).toBe(id);

    const w = worker(solution, 'worker-2');
    expect(await w.drain()).toBe(0);
    clock.advance(30_001);
    expect(await w.drain()).toBe(1);
    expect(await store.getJob(id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await store.finishJob(id, 'crashed-worker', { kind: 'succeeded' }, clock.now())).toBe(false);
  });

  it('runs jobs of one customer and app in delivery order', async () => {
    const order: string[] = [];
    let failCreate = true;
    const solution = defineSolution({
      runbooks: {
        create: installationChanged({ event: 'app_instance.create' }, (ctx) => {
          if (failCreate) {
            failCreate = false;
            throw new Error('first try fails');
          }
          order.push(`create:${ctx.job.label}`);
        }),
        remove: installationChanged({ event: 'app_instance.delete' }, (ctx) => {
          order.push(`remove:${ctx.job.label}`);
        }),
      },
    });
    await enqueue('create', { customerAccountId: 'wdc', appReference: 'app', label: 'wdc' });
    await enqueue('remove', { customerAccountId: 'wdc', appReference: 'app', label: 'wdc' });
    await enqueue('remove', { customerAccountId: 'widget', appReference: 'app', label: 'widget' });
    const w = worker(solution);

    await w.drain();
    expect(order).toEqual(['remove:widget']);
    clock.advance(10_000);
    await w.drain();
    expect(order).toEqual(['remove:widget', 'create:wdc', 'remove:wdc']);
  });

  it('retries a failed job from the CLI path', async () => {
    const solution = defineSolution({ runbooks: { stops: installationChanged({ event: 'app_instance.create' }, (ctx) => ctx.fail('no')) } });
    const id = await enqueue('stops');
    await worker(solution).drain();
    const retried = await store.retryJob(id, clock.now());
    expect(retried).toMatchObject({ status: 'queued', attempts: 0, backoffs: 0 });
    expect(await store.retryJob(id, clock.now())).toBeUndefined();
  });

  it('computes equal-jitter delays within bounds', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0)).toBe(5000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, () => 1)).toBe(10_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(20_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 40, () => 1)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});
