/**
 * GraphQL client for one Xurrent account: bearer token from a `TokenSource`, one retry
 * with a new token after HTTP 401, waits on 429 and 503, and typed errors.
 */
import { XurrentGraphqlError, XurrentHttpError, XurrentMutationError, XurrentNotFoundError, XurrentRateLimitedError } from './errors.js';
import type { GraphqlErrorEntry, MutationErrorEntry } from './errors.js';
import {
  DEFAULT_TIMEOUT_MS,
  excerptBody,
  isRecord,
  parseJson,
  rateLimitedError,
  readBodyText,
  sendRequest,
} from './http.js';
import type { FetchFunction } from './http.js';
import { operationLabel } from './operation-name.js';
import { isNearlyExhausted, readRateLimitHeaders } from './rate-limit.js';
import type { RateLimitSnapshot, RequestLimit } from './rate-limit.js';
import type { TokenSource } from './token-cache.js';

/** Logger methods that the client calls, with pino's signatures, so a pino logger fits. */
export interface XurrentLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export type GraphqlVariables = Record<string, unknown>;

export interface XurrentGraphqlClientOptions {
  /** For example `https://graphql.xurrent.com/`. */
  graphqlUrl: string;
  /** Account id sent as `X-Xurrent-Account`. */
  account: string;
  tokenSource: TokenSource;
  fetch?: FetchFunction | undefined;
  /** Default: discards everything. */
  logger?: XurrentLogger | undefined;
  /**
   * Called on every 429 or 503 before the client waits. A job runner throws from it to
   * turn the wait into a job backoff. When it returns, the client waits and retries.
   */
  onRateLimited?: ((error: XurrentRateLimitedError) => void | Promise<void>) | undefined;
  /**
   * Maximum total time in ms spent waiting on `Retry-After` for one call, default
   * 5 minutes. A wait that would exceed it throws `XurrentRateLimitedError` at once.
   */
  maxWaitMs?: number | undefined;
  /** Per-request timeout in ms, default 30 s. */
  timeoutMs?: number | undefined;
  /** Replaceable for tests. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Clock in epoch milliseconds, for HTTP-date `Retry-After` values. */
  now?: (() => number) | undefined;
}

export interface QueryOptions {
  /** Sent as `operationName`, and names the operation in errors and logs. */
  operationName?: string | undefined;
}

export const DEFAULT_MAX_WAIT_MS = 5 * 60 * 1000;

const silentLogger: XurrentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

export class XurrentGraphqlClient {
  readonly account: string;
  readonly #graphqlUrl: string;
  readonly #tokenSource: TokenSource;
  readonly #fetch: FetchFunction;
  readonly #logger: XurrentLogger;
  readonly #onRateLimited: XurrentGraphqlClientOptions['onRateLimited'];
  readonly #maxWaitMs: number;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #rateLimit: RateLimitSnapshot | undefined;
  /** `kind:resetEpochSeconds` of the windows already warned about, so each is logged once. */
  readonly #warnedWindows = new Set<string>();

  constructor(options: XurrentGraphqlClientOptions) {
    this.account = options.account;
    this.#graphqlUrl = options.graphqlUrl;
    this.#tokenSource = options.tokenSource;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#logger = options.logger ?? silentLogger;
    this.#onRateLimited = options.onRateLimited;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  /** The rate and cost limit headers of the last response that had them. */
  get rateLimit(): RateLimitSnapshot | undefined {
    return this.#rateLimit;
  }

  /**
   * Sends a query (or any document) and returns its `data`. Throws
   * `XurrentNotFoundError` when every top-level error is "Not Found",
   * `XurrentGraphqlError` for other top-level errors or a response without data, and
   * the HTTP errors of `#send`.
   */
  async query<T>(document: string, variables?: GraphqlVariables, options: QueryOptions = {}): Promise<T> {
    const operation = operationLabel(document, options.operationName);
    return (await this.#execute(operation, document, variables, options.operationName)) as T;
  }

  /**
   * Sends a mutation and returns its payload, `data[mutationName]`. Also throws
   * `XurrentMutationError` when the payload's `errors` list is not empty.
   */
  async mutate<T>(mutationName: string, document: string, variables?: GraphqlVariables): Promise<T> {
    const data = await this.#execute(mutationName, document, variables, undefined);

    const payload = data[mutationName];
    if (!isRecord(payload)) {
      throw new XurrentGraphqlError(mutationName, [], `${mutationName} failed: the response has no ${mutationName} payload`);
    }
    const errors = payload.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      throw new XurrentMutationError(mutationName, errors.map(toMutationErrorEntry));
    }
    return payload as T;
  }

  /**
   * Yields every node of a connection, one page per request. The document must declare
   * `$after: String`, pass it to the connection, and select `nodes` and
   * `pageInfo { hasNextPage endCursor }`. `pathToConnection` is a dotted path from
   * `data`, for example `"appInstances"` or `"account.appInstances"`.
   */
  async *paginate<T>(
    document: string,
    variables: GraphqlVariables = {},
    pathToConnection: string | readonly string[],
    options: QueryOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    const operation = operationLabel(document, options.operationName);
    const path = typeof pathToConnection === 'string' ? pathToConnection.split('.') : pathToConnection;
    const where = path.join('.');
    const fail = (problem: string): never => {
      throw new XurrentGraphqlError(operation, [], `${operation} failed: ${problem}`);
    };

    let pageVariables = variables;
    for (;;) {
      const data = await this.#execute(operation, document, pageVariables, options.operationName);

      const connection = path.reduce<unknown>((value, key) => (isRecord(value) ? value[key] : undefined), data);
      if (!isRecord(connection)) {
        return fail(`the response has no connection at ${where}`);
      }
      if (!Array.isArray(connection.nodes)) {
        return fail(`the connection at ${where} has no nodes list; select nodes`);
      }
      for (const node of connection.nodes) {
        yield node as T;
      }

      const pageInfo = connection.pageInfo;
      if (!isRecord(pageInfo)) {
        return fail(`the connection at ${where} has no pageInfo; select pageInfo { hasNextPage endCursor }`);
      }
      if (pageInfo.hasNextPage !== true) {
        return;
      }

      const cursor = pageInfo.endCursor;
      if (typeof cursor !== 'string' || cursor === '' || cursor === pageVariables.after) {
        return fail(`hasNextPage is true at ${where} but endCursor is missing or did not advance`);
      }
      pageVariables = { ...variables, after: cursor };
    }
  }

  async #execute(
    operation: string,
    document: string,
    variables: GraphqlVariables | undefined,
    operationName: string | undefined,
  ): Promise<Record<string, unknown>> {
    const body: Record<string, unknown> = { query: document };
    if (variables !== undefined && Object.keys(variables).length > 0) {
      body.variables = variables;
    }
    if (operationName !== undefined) {
      body.operationName = operationName;
    }

    const json = await this.#send(operation, JSON.stringify(body));

    if (Array.isArray(json.errors) && json.errors.length > 0) {
      const errors = json.errors.map(toGraphqlErrorEntry);
      if (errors.every((error) => error.message === 'Not Found')) {
        throw new XurrentNotFoundError(operation, errors);
      }
      throw new XurrentGraphqlError(operation, errors);
    }

    const data = json.data;
    if (!isRecord(data) || Object.keys(data).length === 0) {
      throw new XurrentGraphqlError(operation, [], `${operation} failed: no data in the Xurrent GraphQL response`);
    }
    return data;
  }

  /**
   * Posts a request body and returns the parsed JSON response. Retries once with a new
   * token after HTTP 401, and after 429 or 503 waits `Retry-After` and retries until the
   * total wait would exceed `maxWaitMs`. Throws `XurrentRateLimitedError`,
   * `XurrentHttpError` or `XurrentNetworkError`.
   */
  async #send(operation: string, body: string): Promise<Record<string, unknown>> {
    let waitedMs = 0;
    let retriedAfter401 = false;
    const logFields = { operation, account: this.account };

    for (;;) {
      let token: string;
      try {
        token = await this.#tokenSource.getToken();
      } catch (error) {
        // The token endpoint has rate limits too; its 429 waits like one from GraphQL.
        if (!(error instanceof XurrentRateLimitedError)) throw error;
        waitedMs = await this.#waitForRetry(error, waitedMs, logFields);
        continue;
      }
      const response = await sendRequest(
        this.#fetch,
        operation,
        this.#graphqlUrl,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'X-Xurrent-Account': this.account,
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
          body,
        },
        this.#timeoutMs,
      );
      this.#recordRateLimit(response.headers, logFields);
      const text = await readBodyText(response, operation, this.#graphqlUrl);
      const status = response.status;

      if (status === 401 && !retriedAfter401) {
        retriedAfter401 = true;
        this.#tokenSource.invalidate(token);
        this.#logger.info(logFields, 'Xurrent rejected the access token with HTTP 401; retrying once with a new token');
        continue;
      }

      const rateLimited = rateLimitedError(operation, response, excerptBody(text, [token]), this.#now());
      if (rateLimited !== undefined) {
        waitedMs = await this.#waitForRetry(rateLimited, waitedMs, logFields);
        continue;
      }

      if (!response.ok) {
        const detail = status === 401 ? 'access token rejected again after requesting a new one' : undefined;
        throw new XurrentHttpError(operation, status, excerptBody(text, [token]), detail);
      }

      const json = parseJson(text);
      if (!isRecord(json)) {
        // A 200 whose body does not parse was cut off on the way, so another try can succeed.
        throw new XurrentHttpError(operation, status, excerptBody(text, [token]), 'the body is not a JSON object', status < 400 || status >= 500);
      }
      return json;
    }
  }

  /**
   * Hands a 429 or 503 to the onRateLimited hook (which may throw, e.g. to back off a job), then
   * sleeps for Retry-After and returns the total wait. Throws the error once the total would
   * exceed `maxWaitMs`.
   */
  async #waitForRetry(rateLimited: XurrentRateLimitedError, waitedMs: number, logFields: Record<string, unknown>): Promise<number> {
    if (this.#onRateLimited !== undefined) {
      await this.#onRateLimited(rateLimited);
    }
    const waitMs = rateLimited.retryAfterSeconds * 1000;
    if (waitedMs + waitMs > this.#maxWaitMs) {
      throw rateLimited;
    }
    this.#logger.warn(
      { ...logFields, status: rateLimited.status, retryAfterSeconds: rateLimited.retryAfterSeconds, waitedMs },
      'Xurrent rate limit reached or API unavailable; waiting before retrying',
    );
    await this.#sleep(waitMs);
    return waitedMs + waitMs;
  }

  #recordRateLimit(headers: Headers, logFields: Record<string, unknown>): void {
    const snapshot = readRateLimitHeaders(headers);
    if (snapshot === undefined) {
      return;
    }

    this.#rateLimit = snapshot;
    this.#warnIfNearlyExhausted('requests', snapshot.requests, logFields);
    this.#warnIfNearlyExhausted('cost', snapshot.cost, logFields);
  }

  #warnIfNearlyExhausted(kind: 'requests' | 'cost', limit: RequestLimit | undefined, logFields: Record<string, unknown>): void {
    if (limit === undefined || !isNearlyExhausted(limit)) {
      return;
    }

    const window = `${kind}:${limit.resetEpochSeconds ?? 'unknown'}`;
    if (this.#warnedWindows.has(window)) {
      return;
    }
    if (this.#warnedWindows.size > 100) {
      this.#warnedWindows.clear();
    }
    this.#warnedWindows.add(window);

    const header = kind === 'requests' ? 'X-RateLimit' : 'X-CostLimit';
    this.#logger.warn(
      { ...logFields, kind, limit: limit.limit, remaining: limit.remaining, resetEpochSeconds: limit.resetEpochSeconds },
      `less than 10% of the Xurrent ${kind} limit remains (${header}-Remaining ${limit.remaining} of ${limit.limit})`,
    );
  }
}

function toGraphqlErrorEntry(error: unknown): GraphqlErrorEntry {
  if (!isRecord(error)) {
    return { message: String(error) };
  }

  const entry: GraphqlErrorEntry = { message: typeof error.message === 'string' ? error.message : JSON.stringify(error) };
  if (Array.isArray(error.path)) {
    entry.path = error.path as (string | number)[];
  }
  if (Array.isArray(error.locations)) {
    entry.locations = error.locations as { line: number; column: number }[];
  }
  return entry;
}

function toMutationErrorEntry(error: unknown): MutationErrorEntry {
  if (!isRecord(error)) {
    return { path: null, message: String(error) };
  }

  let path: MutationErrorEntry['path'] = null;
  if (Array.isArray(error.path)) {
    path = error.path.map(String);
  } else if (typeof error.path === 'string') {
    path = error.path;
  }
  return { path, message: typeof error.message === 'string' ? error.message : JSON.stringify(error) };
}
