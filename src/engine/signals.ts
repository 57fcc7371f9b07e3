// Registered symbols are the same in every copy of this module, so a signal thrown by a solution
// that imports the built package is recognized by a runtime that runs from the sources.
const BACKOFF = Symbol.for('xurrent-app-connector.backoff-signal');
const FAIL = Symbol.for('xurrent-app-connector.fail-signal');

function branded(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Thrown by `ctx.backoff`: the job runs again later without using up a retry. Actions throw it
 * too, for example while a customer's secrets are still on their way.
 */
export class BackoffSignal extends Error {
  readonly [BACKOFF] = true;

  constructor(
    readonly reason: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
    this.name = 'BackoffSignal';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, BACKOFF);
  }
}

/** Thrown by `ctx.fail`: the job is marked failed without further retries. */
export class FailSignal extends Error {
  readonly [FAIL] = true;

  constructor(message: string) {
    super(message);
    this.name = 'FailSignal';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, FAIL);
  }
}
