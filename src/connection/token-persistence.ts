import { randomUUID } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import { cacheKeyPrefix, type Store } from '../storage/store.js';
import type { CachedToken, TokenPersistence } from '../xurrent/token-cache.js';

/** Data-key pair of values that belong to the provider, not to a customer; `@` never occurs in an account id. */
export const PROVIDER_PAIR = { customerAccountId: '@provider', appReference: '@runtime' } as const;

export interface StoredTokenPersistenceOptions {
  store: Store;
  secretStore: SecretStore;
  /** Data-key pair the tokens are sealed under: the customer and app, or PROVIDER_PAIR. */
  pair: { customerAccountId: string; appReference: string };
  now?: () => Date;
  /** How long a lock holder may take before another process may take over, in milliseconds. Default 30 000. */
  lockTtlMs?: number;
  /** How long to wait for a lock before giving up, in milliseconds. Default 60 000. */
  lockWaitMs?: number;
}

/**
 * OAuth tokens cached in the database, sealed under a data key, with a lock row so that
 * processes sharing the database request one token between them.
 */
export class StoredTokenPersistence implements TokenPersistence {
  private readonly processOwner = randomUUID();
  private lockCalls = 0;
  private readonly now: () => Date;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;

  constructor(private readonly options: StoredTokenPersistenceOptions) {
    this.now = options.now ?? (() => new Date());
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.lockWaitMs = options.lockWaitMs ?? 60_000;
  }

  /** Prefixed with the data-key pair, so that a purge of the pair deletes its tokens too. */
  private entryKey(key: string): string {
    return cacheKeyPrefix(this.options.pair.customerAccountId, this.options.pair.appReference) + key;
  }

  async read(key: string): Promise<CachedToken | undefined> {
    const entry = await this.options.store.getCacheEntry(this.entryKey(key), this.now());
    if (!entry) return undefined;
    const { customerAccountId, appReference } = this.options.pair;
    try {
      return (await this.options.secretStore.unseal(customerAccountId, appReference, key, entry.ciphertext)) as CachedToken;
    } catch {
      // A token sealed under a destroyed data key is as good as absent: request a new one.
      return undefined;
    }
  }

  async write(key: string, token: CachedToken): Promise<void> {
    const { customerAccountId, appReference } = this.options.pair;
    const ciphertext = await this.options.secretStore.seal(customerAccountId, appReference, key, token);
    await this.options.store.putCacheEntry(this.entryKey(key), { ciphertext, expiresAt: new Date(token.expiresAt) });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const name = `lock:${key}`;
    // One owner per call, so that two callers in this process exclude each other too.
    const owner = `${this.processOwner}:${++this.lockCalls}`;
    const deadline = this.now().getTime() + this.lockWaitMs;
    let delay = 10;
    while (!(await this.options.store.tryAcquireLock(name, owner, new Date(this.now().getTime() + this.lockTtlMs), this.now()))) {
      if (this.now().getTime() > deadline) {
        throw new Error(`waiting for lock ${name} timed out after ${this.lockWaitMs} ms; another process has it`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
    try {
      return await fn();
    } finally {
      await this.options.store.releaseLock(name, owner);
    }
  }
}
