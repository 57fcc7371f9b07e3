import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, XacError } from '../../src/errors.js';
import { createMasterKeyRing, masterKeyRingFromEnv, parseMasterKey, type MasterKey, type MasterKeyRing } from '../../src/secrets/master-keys.js';
import { SecretStore, type SecretBlocks } from '../../src/secrets/secret-store.js';
import { SqliteStore } from '../../src/storage/sqlite-store.js';

const APP = 'note-dispatcher';
const application = { oauthApplicationNodeId: 'b2F1dGgvMg', clientId: 'cc-client-id', clientSecret: 'cc-client-secret' };

function newMasterKey(): MasterKey {
  return parseMasterKey(randomBytes(32).toString('base64'), 'test key');
}

/** Awaits the promise and returns the XacError it rejects with. */
async function rejection(promise: Promise<unknown>): Promise<XacError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(XacError);
    return error as XacError;
  }
  throw new Error('the promise resolved');
}

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    masterKeyRingFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('masterKeyRingFromEnv accepted the environment');
}

describe('secret store', () => {
  let dir: string;
  let databasePath: string;
  let store: SqliteStore;
  let keyA: MasterKey;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xac-secrets-'));
    databasePath = join(dir, 'xac.sqlite');
    store = new SqliteStore({ filename: databasePath });
    await store.migrate();
    keyA = newMasterKey();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores the blocks as one delivery would, in the delivery's transaction. */
  async function storeBlocks(secretStore: SecretStore, customer: string, blocks: SecretBlocks, app = APP): Promise<void> {
    await store.recordDelivery({
      delivery: { id: randomUUID(), route: '/xurrent/secrets', event: 'app_instance.secrets-update', receivedAt: new Date(), summary: {}, status: 'accepted' },
      secrets: await secretStore.encryptBlocks(customer, app, blocks),
      jobs: [],
    });
  }

  function secretStoreWith(ring: MasterKeyRing): SecretStore {
    return new SecretStore(store, ring);
  }

  it('merges secrets key by key', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { application, secrets: { api_key: 'key-1', region: 'eu' } });
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'key-2', limits: { daily: 10 } } });

    const stored = await secretStore.read('wdc', APP);
    expect(stored.application).toEqual(application);
    expect(stored.secrets).toEqual({ api_key: 'key-2', region: 'eu', limits: { daily: 10 } });
    expect(stored.policy).toBeUndefined();
    const names = (await secretStore.list({ customerAccountId: 'wdc' })).map((row) => row.name);
    expect(names).toEqual(['application', 'secret:api_key', 'secret:limits', 'secret:region']);
  });

  it('decrypts only the named blocks', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { application, secrets: { api_key: 'key-1' } });

    expect(await secretStore.read('wdc', APP, { blocks: ['application'] })).toEqual({ application, secrets: {} });
    expect(await secretStore.read('wdc', APP, { blocks: ['secrets'] })).toEqual({ secrets: { api_key: 'key-1' } });
    expect(await secretStore.read('wdc', APP, { blocks: ['policy'] })).toEqual({ secrets: {} });
  });

  it('keeps customers apart', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'wdc-key' } });
    await storeBlocks(secretStore, 'widget', { secrets: { api_key: 'widget-key' } });

    expect((await secretStore.read('wdc', APP)).secrets).toEqual({ api_key: 'wdc-key' });
    expect((await secretStore.read('widget', APP)).secrets).toEqual({ api_key: 'widget-key' });
    expect(await secretStore.read('acme', APP)).toEqual({ secrets: {} });
  });

  it('rejects a row copied to another customer', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'wdc-key' } });
    await storeBlocks(secretStore, 'widget', { secrets: { region: 'us' } });
    await store.close();

    const db = new Database(databasePath);
    db.prepare(
      `INSERT INTO secrets (customer_account_id, app_reference, name, ciphertext, updated_at)
       SELECT 'widget', app_reference, name, ciphertext, updated_at FROM secrets WHERE customer_account_id = 'wdc'`,
    ).run();
    db.close();
    store = new SqliteStore({ filename: databasePath });

    const error = await rejection(secretStoreWith(createMasterKeyRing(keyA)).read('widget', APP));
    expect(error.code).toBe('XAC_DECRYPTION_FAILED');
    expect(error.message).toBe(
      `decryption of secret:widget/${APP}/secret:api_key failed: the key does not match or the stored value was altered`,
    );
  });

  it('rejects a data key copied to another customer', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'wdc-key' } });
    await store.close();

    // The wrapped data key and the row move together, so only the additional data binds them to wdc.
    const db = new Database(databasePath);
    db.prepare(
      `INSERT INTO data_keys (customer_account_id, app_reference, master_key_id, wrapped_key, created_at)
       SELECT 'acme', app_reference, master_key_id, wrapped_key, created_at FROM data_keys WHERE customer_account_id = 'wdc'`,
    ).run();
    db.prepare(
      `INSERT INTO secrets (customer_account_id, app_reference, name, ciphertext, updated_at)
       SELECT 'acme', app_reference, name, ciphertext, updated_at FROM secrets WHERE customer_account_id = 'wdc'`,
    ).run();
    db.close();
    store = new SqliteStore({ filename: databasePath });

    const error = await rejection(secretStoreWith(createMasterKeyRing(keyA)).read('acme', APP));
    expect(error.code).toBe('XAC_DECRYPTION_FAILED');
    expect(error.message).toContain(`decryption of data-key:acme/${APP} failed`);
  });

  it('rejects a row copied under another name', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'wdc-key', region: 'eu' } });
    await store.close();

    // Same customer and data key, so only the additional data distinguishes the two rows.
    const db = new Database(databasePath);
    db.prepare(
      `UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE name = 'secret:api_key')
       WHERE name = 'secret:region'`,
    ).run();
    db.close();
    store = new SqliteStore({ filename: databasePath });

    const error = await rejection(secretStoreWith(createMasterKeyRing(keyA)).read('wdc', APP));
    expect(error.code).toBe('XAC_DECRYPTION_FAILED');
    expect(error.message).toContain(`secret:wdc/${APP}/secret:region`);
  });

  it('destroys rows and data key', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { application, secrets: { api_key: 'wdc-key' } });
    await storeBlocks(secretStore, 'widget', { secrets: { api_key: 'widget-key' } });

    await secretStore.destroy('wdc', APP);

    expect(await secretStore.read('wdc', APP)).toEqual({ secrets: {} });
    expect(await secretStore.list({ customerAccountId: 'wdc' })).toEqual([]);
    expect(await store.getDataKey('wdc', APP)).toBeUndefined();
    expect((await secretStore.read('widget', APP)).secrets).toEqual({ api_key: 'widget-key' });
  });

  it('stores again after destroy with a new data key', async () => {
    const secretStore = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(secretStore, 'wdc', { secrets: { api_key: 'old-key' } });
    const oldDataKey = await store.getDataKey('wdc', APP);
    await secretStore.destroy('wdc', APP);

    await storeBlocks(secretStore, 'wdc', { secrets: { region: 'eu' } });

    expect((await secretStore.read('wdc', APP)).secrets).toEqual({ region: 'eu' });
    const newDataKey = await store.getDataKey('wdc', APP);
    expect(newDataKey?.wrappedKey.equals(oldDataKey!.wrappedKey)).toBe(false);
  });

  it('rotates data keys to a new master key', async () => {
    const keyB = newMasterKey();
    const underA = secretStoreWith(createMasterKeyRing(keyA));
    await storeBlocks(underA, 'wdc', { application, secrets: { api_key: 'wdc-key' } });
    await storeBlocks(underA, 'widget', { secrets: { api_key: 'widget-key' } });
    await storeBlocks(underA, 'widget', { secrets: { token: 'billing-token' } }, 'billing');

    const rotating = secretStoreWith(createMasterKeyRing(keyB, [keyA]));
    expect(await rotating.rotate()).toEqual({ rewrapped: 3, alreadyCurrent: 0 });
    const keyIds = (await store.listDataKeys()).map((record) => record.masterKeyId);
    expect(keyIds).toEqual([keyB.id, keyB.id, keyB.id]);

    const onlyB = secretStoreWith(createMasterKeyRing(keyB));
    expect((await onlyB.read('wdc', APP)).application).toEqual(application);
    expect((await onlyB.read('wdc', APP)).secrets).toEqual({ api_key: 'wdc-key' });
    expect((await onlyB.read('widget', APP)).secrets).toEqual({ api_key: 'widget-key' });
    expect((await onlyB.read('widget', 'billing')).secrets).toEqual({ token: 'billing-token' });

    expect(await rotating.rotate()).toEqual({ rewrapped: 0, alreadyCurrent: 3 });
  });

  it('names the fix for an unknown master key', async () => {
    const keyB = newMasterKey();
    await storeBlocks(secretStoreWith(createMasterKeyRing(keyA)), 'wdc', { secrets: { api_key: 'wdc-key' } });
    await secretStoreWith(createMasterKeyRing(keyB, [keyA])).rotate();

    const error = await rejection(secretStoreWith(createMasterKeyRing(keyA)).read('wdc', APP));
    expect(error.code).toBe('XAC_MASTER_KEY_UNKNOWN');
    expect(error.message).toBe(
      `the data key of customer wdc and app ${APP} is wrapped by master key ${keyB.id}, ` +
        'which is neither XAC_MASTER_KEY nor in XAC_PREVIOUS_MASTER_KEYS; add that key to XAC_PREVIOUS_MASTER_KEYS',
    );
  });

  it('stops a rotation without the old key', async () => {
    await storeBlocks(secretStoreWith(createMasterKeyRing(keyA)), 'wdc', { secrets: { api_key: 'wdc-key' } });

    const error = await rejection(secretStoreWith(createMasterKeyRing(newMasterKey())).rotate());
    expect(error.code).toBe('XAC_MASTER_KEY_UNKNOWN');
    expect((await store.listDataKeys())[0]?.masterKeyId).toBe(keyA.id);
  });

  it('writes new data keys under the current key', async () => {
    const keyB = newMasterKey();
    const ring = createMasterKeyRing(keyB, [keyA]);
    await storeBlocks(secretStoreWith(ring), 'wdc', { secrets: { api_key: 'wdc-key' } });
    expect((await store.getDataKey('wdc', APP))?.masterKeyId).toBe(keyB.id);
    expect(await secretStoreWith(ring).rotate()).toEqual({ rewrapped: 0, alreadyCurrent: 1 });
  });
});

describe('masterKeyRingFromEnv', () => {
  const fix = 'generate one with `xac keys generate`';

  it('reads current and previous keys', () => {
    const current = randomBytes(32).toString('base64');
    const first = randomBytes(32).toString('base64');
    const second = randomBytes(32).toString('base64');
    const ring = masterKeyRingFromEnv({ XAC_MASTER_KEY: current, XAC_PREVIOUS_MASTER_KEYS: ` ${first} ,${second},` });

    expect(ring.current.key.equals(Buffer.from(current, 'base64'))).toBe(true);
    expect(ring.current.id).toMatch(/^[0-9a-f]{16}$/);
    expect(ring.byId.size).toBe(3);
    expect(ring.byId.get(parseMasterKey(first, 'x').id)?.key.equals(Buffer.from(first, 'base64'))).toBe(true);
    expect(ring.byId.get(parseMasterKey(second, 'x').id)?.key.equals(Buffer.from(second, 'base64'))).toBe(true);
  });

  it('requires XAC_MASTER_KEY', () => {
    const message = 'XAC_MASTER_KEY is not set; generate a key with `xac keys generate` and set it as base64 in the environment';
    expect(configError({}).message).toBe(message);
    expect(configError({ XAC_MASTER_KEY: '' }).message).toBe(message);
  });

  it('rejects a short key', () => {
    const error = configError({ XAC_MASTER_KEY: randomBytes(16).toString('base64') });
    expect(error.message).toBe(`XAC_MASTER_KEY is not 32 bytes of base64 (decoded 16 bytes); ${fix}`);
    expect(error.code).toBe('XAC_CONFIG_INVALID');
  });

  it('rejects a non-base64 key', () => {
    const error = configError({ XAC_MASTER_KEY: `${'k'.repeat(40)}!!!=` });
    expect(error.message).toBe(`XAC_MASTER_KEY is not base64: it may contain only A-Z, a-z, 0-9, "+", "/" and "=" padding; ${fix}`);
  });

  it('rejects a base64url key', () => {
    const key = Buffer.alloc(32, 0xfb).toString('base64url');
    const error = configError({ XAC_MASTER_KEY: key });
    expect(error.message).toBe(`XAC_MASTER_KEY is not base64: it may contain only A-Z, a-z, 0-9, "+", "/" and "=" padding; ${fix}`);
  });

  it('names a bad previous key', () => {
    const error = configError({
      XAC_MASTER_KEY: randomBytes(32).toString('base64'),
      XAC_PREVIOUS_MASTER_KEYS: `${randomBytes(32).toString('base64')},${randomBytes(8).toString('base64')}`,
    });
    expect(error.message).toBe(`XAC_PREVIOUS_MASTER_KEYS entry 2 is not 32 bytes of base64 (decoded 8 bytes); ${fix}`);
  });
});
