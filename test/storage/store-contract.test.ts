import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob, Store } from '../../src/storage/store.js';
import { STORE_FACTORIES } from './stores.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

describe.each(STORE_FACTORIES)('$name store', (factory) => {
  let store: Store;
  let open: () => Promise<Store>;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ store, open, dispose } = await factory.create());
  });

  afterEach(async () => {
    await dispose();
  });

  function job(overrides: Partial<NewJob> = {}): NewJob {
    return {
      id: randomUUID(),
      runbook: 'installed',
      label: 'wdc',
      deliveryId: overrides.deliveryId ?? randomUUID(),
      customerAccountId: 'wdc',
      appReference: 'app',
      trigger: { customerAccountId: 'wdc' },
      maxAttempts: 3,
      runAt: at(0),
      ...overrides,
    };
  }

  async function record(id: string, options: { jti?: string; origin?: string; jobs?: NewJob[] } = {}) {
    return store.recordDelivery({
      delivery: { id, jti: options.jti, origin: options.origin, route: '/xurrent/installations', event: 'app_instance.create', receivedAt: at(0), summary: { id }, status: 'accepted' },
      secrets: [],
      jobs: (options.jobs ?? [job({ deliveryId: id })]).map((each) => ({ ...each, deliveryId: id })),
    });
  }

  it('records a delivery with its jobs', async () => {
    expect(await record('d1', { jti: 'j1' })).toEqual({ duplicate: false });
    expect(await store.getDelivery('d1')).toMatchObject({ id: 'd1', jti: 'j1', summary: { id: 'd1' }, status: 'accepted' });
    expect(await store.listJobs()).toHaveLength(1);
  });

  it('detects duplicates by id, jti and origin', async () => {
    await record('d1', { jti: 'j1' });
    expect(await record('d1', { jti: 'j2' })).toEqual({ duplicate: true });
    expect(await record('d2', { jti: 'j1' })).toEqual({ duplicate: true });
    expect(await record('d3', { jti: 'j3', origin: 'd1' })).toEqual({ duplicate: true });
    expect(await store.listJobs()).toHaveLength(1);
  });

  it('upserts secrets and purges a pair', async () => {
    const write = (name: string, value: string) => ({ customerAccountId: 'wdc', appReference: 'app', name, ciphertext: Buffer.from(value) });
    // Secrets are sealed under the pair's data key, which must exist when they are stored.
    await store.ensureDataKey({ customerAccountId: 'wdc', appReference: 'app', masterKeyId: 'k1', wrappedKey: Buffer.from('w'), createdAt: at(0) });
    await store.recordDelivery({ delivery: { id: 'd1', route: 'r', event: 'e', receivedAt: at(0), summary: {}, status: 'accepted' }, secrets: [write('application', 'a1'), write('policy', 'p1')], jobs: [] });
    await store.recordDelivery({ delivery: { id: 'd2', route: 'r', event: 'e', receivedAt: at(1000), summary: {}, status: 'accepted' }, secrets: [write('application', 'a2')], jobs: [] });
    const rows = await store.readSecrets('wdc', 'app');
    expect(Object.fromEntries(rows.map((row) => [row.name, row.ciphertext.toString()]))).toEqual({ application: 'a2', policy: 'p1' });
    expect((await store.listSecrets()).map((row) => row.name)).toEqual(['application', 'policy']);

    await store.purgeCustomerApp('wdc', 'app');
    expect(await store.readSecrets('wdc', 'app')).toEqual([]);
    expect(await store.getDataKey('wdc', 'app')).toBeUndefined();
  });

  it('keeps the first data key and rewraps by expected id', async () => {
    const first = await store.ensureDataKey({ customerAccountId: 'wdc', appReference: 'app', masterKeyId: 'k1', wrappedKey: Buffer.from('one'), createdAt: at(0) });
    const second = await store.ensureDataKey({ customerAccountId: 'wdc', appReference: 'app', masterKeyId: 'k1', wrappedKey: Buffer.from('two'), createdAt: at(0) });
    expect(second.wrappedKey.toString()).toBe('one');
    expect(first.masterKeyId).toBe('k1');
    expect(await store.rewrapDataKey({ ...first, masterKeyId: 'k2', wrappedKey: Buffer.from('new') }, 'k0')).toBe(false);
    expect(await store.rewrapDataKey({ ...first, masterKeyId: 'k2', wrappedKey: Buffer.from('new') }, 'k1')).toBe(true);
    expect((await store.getDataKey('wdc', 'app'))?.masterKeyId).toBe('k2');
  });

  it('claims in order per customer and app', async () => {
    await record('d1', { jobs: [job({ runbook: 'create' })] });
    await record('d2', { jobs: [job({ runbook: 'remove' })] });
    await record('d3', { jobs: [job({ runbook: 'other', customerAccountId: 'widget' })] });

    const first = await store.claimJob('w1', 30_000, at(0));
    const second = await store.claimJob('w2', 30_000, at(0));
    const third = await store.claimJob('w3', 30_000, at(0));
    expect(first?.runbook).toBe('create');
    expect(second?.runbook).toBe('other');
    expect(third).toBeUndefined();

    expect(await store.finishJob(first!.id, 'w1', { kind: 'succeeded' }, at(10))).toBe(true);
    expect((await store.claimJob('w3', 30_000, at(20)))?.runbook).toBe('remove');
  });

  it('reclaims after the lease and rejects the old owner', async () => {
    await record('d1');
    const claimed = await store.claimJob('w1', 1000, at(0));
    expect(await store.claimJob('w2', 1000, at(500))).toBeUndefined();
    expect(await store.extendLease(claimed!.id, 'w1', at(2000))).toBe(true);
    expect(await store.claimJob('w2', 1000, at(1500))).toBeUndefined();
    const reclaimed = await store.claimJob('w2', 1000, at(2001));
    expect(reclaimed).toMatchObject({ id: claimed!.id, attempts: 2, lockedBy: 'w2' });
    expect(await store.finishJob(claimed!.id, 'w1', { kind: 'succeeded' }, at(2100))).toBe(false);
    expect(await store.finishJob(claimed!.id, 'w2', { kind: 'succeeded' }, at(2100))).toBe(true);
  });

  it('applies retry, backoff and failure outcomes', async () => {
    await record('d1');
    let claimed = await store.claimJob('w1', 1000, at(0));
    await store.finishJob(claimed!.id, 'w1', { kind: 'retry', runAt: at(5000), error: 'boom' }, at(10));
    expect(await store.getJob(claimed!.id)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'boom' });
    expect(await store.nextRunAt()).toEqual(at(5000));
    expect(await store.claimJob('w1', 1000, at(4999))).toBeUndefined();

    claimed = await store.claimJob('w1', 1000, at(5000));
    await store.finishJob(claimed!.id, 'w1', { kind: 'backoff', runAt: at(9000), reason: 'wait' }, at(5010));
    expect(await store.getJob(claimed!.id)).toMatchObject({ status: 'queued', attempts: 1, backoffs: 1, lastError: 'wait' });

    claimed = await store.claimJob('w1', 1000, at(9000));
    await store.finishJob(claimed!.id, 'w1', { kind: 'failed', error: 'gave up' }, at(9010));
    expect(await store.getJob(claimed!.id)).toMatchObject({ status: 'failed', attempts: 2, lastError: 'gave up', finishedAt: at(9010) });
    expect(await store.retryJob(claimed!.id, at(10_000))).toMatchObject({ status: 'queued', attempts: 0, backoffs: 0 });
  });

  it('stores job log lines in order', async () => {
    await store.appendJobLogs('job-1', [
      { at: at(1), attempt: 1, level: 'info', message: 'one', data: { n: 1 } },
      { at: at(2), attempt: 1, level: 'warn', message: 'two' },
    ]);
    expect(await store.getJobLogs('job-1')).toEqual([
      { at: at(1), attempt: 1, level: 'info', message: 'one', data: { n: 1 } },
      { at: at(2), attempt: 1, level: 'warn', message: 'two' },
    ]);
  });

  it('expires cache entries', async () => {
    await store.putCacheEntry('token', { ciphertext: Buffer.from('x'), expiresAt: at(1000) });
    expect((await store.getCacheEntry('token', at(999)))?.ciphertext.toString()).toBe('x');
    expect(await store.getCacheEntry('token', at(1000))).toBeUndefined();
  });

  it('hands a lock to one owner until it expires', async () => {
    expect(await store.tryAcquireLock('refresh', 'a', at(1000), at(0))).toBe(true);
    expect(await store.tryAcquireLock('refresh', 'b', at(1000), at(500))).toBe(false);
    expect(await store.tryAcquireLock('refresh', 'b', at(3000), at(1000))).toBe(true);
    await store.releaseLock('refresh', 'a');
    expect(await store.tryAcquireLock('refresh', 'c', at(3000), at(1500))).toBe(false);
    await store.releaseLock('refresh', 'b');
    expect(await store.tryAcquireLock('refresh', 'c', at(3000), at(1500))).toBe(true);
  });

  it('keeps the first result of a step', async () => {
    const first = await store.putStep('job-1', { name: 'create', result: Buffer.from('1'), encrypted: false, createdAt: at(0) });
    const second = await store.putStep('job-1', { name: 'create', result: Buffer.from('2'), encrypted: true, createdAt: at(1) });
    expect(first.result.toString()).toBe('1');
    expect(second).toEqual(first);
    expect(await store.getStep('job-1', 'missing')).toBeUndefined();
  });

  it('never hands one job to two workers', async () => {
    const jobs = Array.from({ length: 40 }, (_, index) => job({ customerAccountId: `c${index}` }));
    await record('bulk', { jobs: jobs.map((each, index) => ({ ...each, runbook: `r${index}` })) });
    const stores = [store, await open(), await open(), await open()];
    const claimed: string[] = [];
    await Promise.all(
      stores.map(async (each, index) => {
        for (;;) {
          const next = await each.claimJob(`w${index}`, 60_000, at(0));
          if (!next) return;
          claimed.push(next.id);
        }
      }),
    );
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
  });
});
