/**
 * Access token cache for the client credentials grant: one token per token URL and
 * client id, shared by all callers in a process and, through `TokenPersistence`, by
 * all processes that share a database.
 */
import { createHash } from 'node:crypto';

import type { FetchFunction } from './http.js';
import { requestClientCredentialsToken } from './oauth.js';
import type { CachedToken } from './oauth.js';

export type { CachedToken } from './oauth.js';

/** Anything that hands out bearer tokens for Xurrent requests. */
export interface TokenSource {
  getToken(): Promise<string>;
  /**
   * Marks a token as rejected by Xurrent (HTTP 401), so that the next `getToken`
   * requests a new one. Without an argument, the token this source last returned.
   */
  invalidate(token?: string): void;
}

/**
 * Shared token storage for several processes. Implementations must encrypt the token
 * at rest. `key` never contains the client secret.
 */
export interface TokenPersistence {
  read(key: string): Promise<CachedToken | undefined>;
  /** Replaces the token stored under `key`. */
  write(key: string, token: CachedToken): Promise<void>;
  /**
   * Runs `fn` while holding an exclusive lock on `key` across all processes (for
   * example a PostgreSQL advisory lock), and releases the lock when `fn` settles.
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface ClientCredentialsTokenSourceOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchFunction | undefined;
  /** Clock in epoch milliseconds. */
  now?: (() => number) | undefined;
  /**
   * Seconds before expiry at which a token counts as expired, default 60. For tokens
   * that live less than twice the margin, half their lifetime is used instead.
   */
  marginSeconds?: number | undefined;
  persistence?: TokenPersistence | undefined;
  /** Whose credentials these are, used in error messages. Default "provider". */
  credentialsLabel?: string | undefined;
  timeoutMs?: number | undefined;
}

/** How many rejected tokens a source remembers, so that none is handed out again. */
const REJECTED_TOKENS_KEPT = 8;

/**
 * Returns the persistence key of a token: a hash of the token URL and the client id,
 * so that two environments or two OAuth applications never share a token.
 */
export function tokenCacheKey(tokenUrl: string, clientId: string): string {
  const digest = createHash('sha256').update(JSON.stringify([tokenUrl, clientId])).digest('hex');
  return `xurrent-oauth-token:${digest}`;
}

/**
 * Caches a client credentials token until shortly before it expires.
 *
 * Concurrent `getToken` calls in one process share one token request. With a
 * `persistence`, a process first reads the shared cache, then takes the lock and reads
 * again before requesting, so that processes refreshing at the same time send one
 * token request between them.
 *
 * Failed requests are not cached: the next `getToken` sends a new request.
 */
export class ClientCredentialsTokenSource implements TokenSource {
  readonly cacheKey: string;
  readonly #options: ClientCredentialsTokenSourceOptions;
  readonly #now: () => number;
  readonly #marginMs: number;
  #cached: CachedToken | undefined;
  #refreshing: Promise<CachedToken> | undefined;
  readonly #rejectedTokens: string[] = [];

  constructor(options: ClientCredentialsTokenSourceOptions) {
    const marginSeconds = options.marginSeconds ?? 60;
    if (!Number.isFinite(marginSeconds) || marginSeconds < 0) {
      throw new RangeError(`marginSeconds must be a number of seconds >= 0, got ${marginSeconds}`);
    }

    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#marginMs = marginSeconds * 1000;
    this.cacheKey = tokenCacheKey(options.tokenUrl, options.clientId);
  }

  async getToken(): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && this.#isUsable(cached)) {
      return cached.accessToken;
    }

    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    const token = await this.#refreshing;
    return token.accessToken;
  }

  invalidate(token?: string): void {
    const rejected = token ?? this.#cached?.accessToken;
    if (rejected === undefined) {
      return;
    }

    if (!this.#rejectedTokens.includes(rejected)) {
      this.#rejectedTokens.push(rejected);
      if (this.#rejectedTokens.length > REJECTED_TOKENS_KEPT) {
        this.#rejectedTokens.shift();
      }
    }
    if (this.#cached?.accessToken === rejected) {
      this.#cached = undefined;
    }
  }

  async #refresh(): Promise<CachedToken> {
    const persistence = this.#options.persistence;
    if (persistence === undefined) {
      return this.#remember(await this.#request());
    }

    const key = this.cacheKey;
    const stored = await persistence.read(key);
    if (stored !== undefined && this.#isUsable(stored)) {
      return this.#remember(stored);
    }

    const token = await persistence.withLock(key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const current = await persistence.read(key);
      if (current !== undefined && this.#isUsable(current)) {
        return current;
      }

      const fresh = await this.#request();
      await persistence.write(key, fresh);
      return fresh;
    });
    return this.#remember(token);
  }

  #request(): Promise<CachedToken> {
    const options = this.#options;
    return requestClientCredentialsToken({
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      fetch: options.fetch,
      now: this.#now,
      timeoutMs: options.timeoutMs,
      credentialsLabel: options.credentialsLabel,
    });
  }

  #remember(token: CachedToken): CachedToken {
    this.#cached = token;
    return token;
  }

  #isUsable(token: CachedToken): boolean {
    if (this.#rejectedTokens.includes(token.accessToken)) {
      return false;
    }

    const lifetimeMs = token.expiresAt - token.issuedAt;
    const marginMs = Math.min(this.#marginMs, lifetimeMs / 2);
    return this.#now() < token.expiresAt - marginMs;
  }
}

/**
 * `TokenPersistence` in memory, for tests and single-process use. Sources that share
 * one instance behave like processes that share a database.
 */
export class InMemoryTokenPersistence implements TokenPersistence {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #lockTails = new Map<string, Promise<void>>();

  async read(key: string): Promise<CachedToken | undefined> {
    const token = this.#tokens.get(key);
    return token === undefined ? undefined : { ...token };
  }

  async write(key: string, token: CachedToken): Promise<void> {
    this.#tokens.set(key, { ...token });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#lockTails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#lockTails.set(key, tail);

    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#lockTails.get(key) === tail) {
        this.#lockTails.delete(key);
      }
    }
  }
}
