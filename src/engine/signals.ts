/**
 * Thrown by `ctx.backoff`: the job runs again later without using up a retry. Actions throw it
 * too, for example while a customer's secrets are still on their way.
 */
export class BackoffSignal extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
    this.name = 'BackoffSignal';
  }
}

/** Thrown by `ctx.fail`: the job is marked failed without further retries. */
export class FailSignal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailSignal';
  }
}
