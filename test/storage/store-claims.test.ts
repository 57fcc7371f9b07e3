import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob, SecretWrite, Store } from '../../src/storage/store.js';
import { STORE_FACTORIES } from './stores.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

describe.each(STORE_FACTORIES)('$name store: limits, steps and purges', (factory) => {
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
      runbook: 'sync',
      label: 'wdc',
      deliveryId: randomUUID(),
      customerAccountId: 'wdc',
      appReference: 'app',
      trigger: {},
      maxAttempts: 3,
      runAt: at(0),
      ...overrides,
    };
  }

  async function record(jobs: NewJob[], secrets: SecretWrite[] = [], receivedAt = at(0)): Promise<void> {
    const id = randomUUID();
    await store.recordDelivery({
      delivery: { id, route: '/r', event: 'e', receivedAt, summary: {}, status: 'accepted' },
      secrets,
      jobs: jobs.map((each) => ({ ...each, deliveryId: id })),
    });
  }

  it('claims up to a runbook limit', async () => {
    for (const customer of ['c1', 'c2', 'c3']) await record([job({ runbook: 'limited', customerAccountId: customer })]);
    await record([job({ runbook: 'other', customerAccountId: 'c4' })]);
    const limits = { runbookLimits: { limited: 2 } };

    const claimed = [];
    for (let index = 0; index < 4; index++) claimed.push(await store.claimJob(`w${index}`, 30_000, at(0), limits));

    expect(claimed.map((each) => each?.runbook)).toEqual(['limited', 'limited', 'other', undefined]);
    expect(await store.finishJob(claimed[0]!.id, 'w0', { kind: 'succeeded' }, at(10))).toBe(true);
    expect((await store.claimJob('w4', 30_000, at(20), limits))?.runbook).toBe('limited');
  });

  it('does not count jobs whose lease ran out', async () => {
    await record([job({ runbook: 'limited', customerAccountId: 'c1' })]);
    await record([job({ runbook: 'limited', customerAccountId: 'c2' })]);
    const limits = { runbookLimits: { limited: 1 } };
    const first = await store.claimJob('w1', 1000, at(0), limits);
    expect(await store.claimJob('w2', 1000, at(500), limits)).toBeUndefined();
    const next = await store.claimJob('w2', 1000, at(1001), limits);
    expect(next?.id).toBe(first?.id);
  });

  it('never exceeds a limit under concurrent claims', async () => {
    for (let index = 0; index < 12; index++) await record([job({ runbook: 'limited', customerAccountId: `c${index}` })]);
    const stores = [store, await open(), await open(), await open()];
    const claimed = await Promise.all(
      stores.flatMap((each, index) => [0, 1, 2].map((round) => each.claimJob(`w${index}-${round}`, 60_000, at(0), { runbookLimits: { limited: 3 } }))),
    );
    expect(claimed.filter((each) => each !== undefined)).toHaveLength(3);
  });

  it('lets a later job pass an internal job not due yet', async () => {
    await record([job({ runbook: '@purge-secrets', runAt: at(60_000) })]);
    await record([job({ runbook: 'installed' })]);
    expect((await store.claimJob('w1', 30_000, at(0)))?.runbook).toBe('installed');

    await record([job({ runbook: '@purge-secrets', customerAccountId: 'acme', runAt: at(0) })]);
    await record([job({ runbook: 'installed', customerAccountId: 'acme' })]);
    expect((await store.claimJob('w2', 30_000, at(0)))?.runbook).toBe('@purge-secrets');
    expect(await store.claimJob('w3', 30_000, at(0))).toBeUndefined();
  });

  it('keeps a waiting runbook job ahead of later ones', async () => {
    await record([job({ runbook: 'installed', runAt: at(60_000) })]);
    await record([job({ runbook: 'updated' })]);
    expect(await store.claimJob('w1', 30_000, at(0))).toBeUndefined();
  });

  it('replaces saved progress', async () => {
    await store.saveStep('job-1', { name: '@asyncUrls:x', result: Buffer.from('1'), encrypted: true, createdAt: at(0) });
    await store.saveStep('job-1', { name: '@asyncUrls:x', result: Buffer.from('2'), encrypted: true, createdAt: at(1) });
    expect(await store.getStep('job-1', '@asyncUrls:x')).toEqual({ name: '@asyncUrls:x', result: Buffer.from('2'), encrypted: true, createdAt: at(1) });
  });

  const secret = (name: string): SecretWrite => ({ customerAccountId: 'wdc', appReference: 'app', name, ciphertext: Buffer.from(name) });
  const dataKey = { customerAccountId: 'wdc', appReference: 'app', masterKeyId: 'k1', wrappedKey: Buffer.from('w'), createdAt: at(0) };

  it('purges up to a time and keeps newer secrets', async () => {
    await store.ensureDataKey(dataKey);
    await record([], [secret('application'), secret('secret:legacy')], at(0));
    await record([], [secret('application')], at(5000));

    expect(await store.purgeCustomerApp('wdc', 'app', { updatedUpTo: at(1000) })).toEqual({
      deletedSecrets: 1,
      deletedSteps: 0,
      deletedCacheEntries: 0,
      keptSecrets: 1,
      dataKeyDestroyed: false,
    });
    expect((await store.readSecrets('wdc', 'app')).map((row) => row.name)).toEqual(['application']);
    expect(await store.getDataKey('wdc', 'app')).toBeDefined();

    expect(await store.purgeCustomerApp('wdc', 'app', { updatedUpTo: at(5000) })).toEqual({
      deletedSecrets: 1,
      deletedSteps: 0,
      deletedCacheEntries: 0,
      keptSecrets: 0,
      dataKeyDestroyed: true,
    });
    expect(await store.getDataKey('wdc', 'app')).toBeUndefined();
  });

  it('purges step results and cached tokens of the pair', async () => {
    await store.ensureDataKey(dataKey);
    const finished = job();
    const later = job({ runbook: 'reinstalled' });
    await record([finished]);
    const claimed = await store.claimJob('w1', 30_000, at(0));
    await store.finishJob(claimed!.id, 'w1', { kind: 'succeeded' }, at(10));
    await store.putStep(finished.id, { name: 'create', result: Buffer.from('sealed'), encrypted: true, createdAt: at(5) });
    const entry = { ciphertext: Buffer.from('sealed'), expiresAt: at(3_600_000) };
    await store.putCacheEntry('wdc/app/token', entry);
    await store.putCacheEntry('wdc/app_other/token', entry);
    await store.putCacheEntry('@provider/@runtime/token', entry);
    await record([later], [], at(2000));

    expect(await store.purgeCustomerApp('wdc', 'app')).toEqual({
      deletedSecrets: 0,
      deletedSteps: 1,
      deletedCacheEntries: 1,
      keptSecrets: 0,
      dataKeyDestroyed: true,
    });
    expect(await store.getStep(finished.id, 'create')).toBeUndefined();
    expect(await store.getCacheEntry('wdc/app/token', at(0))).toBeUndefined();
    expect(await store.getCacheEntry('wdc/app_other/token', at(0))).toBeDefined();
    expect(await store.getCacheEntry('@provider/@runtime/token', at(0))).toBeDefined();
  });

  it('rejects secrets whose data key is gone', async () => {
    await expect(record([job()], [secret('application')])).rejects.toMatchObject({ code: 'XAC_DATA_KEY_MISSING', statusCode: 503 });
    expect(await store.listJobs()).toEqual([]);
    expect(await store.readSecrets('wdc', 'app')).toEqual([]);
  });
});
