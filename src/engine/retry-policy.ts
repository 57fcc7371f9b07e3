export interface RetryPolicy {
  /** Delay after the first failure, in milliseconds. */
  baseDelayMs: number;
  /** Upper bound of any delay between attempts, in milliseconds. */
  maxDelayMs: number;
  /** Default for runbooks that set no retry.maxAttempts. */
  maxAttempts: number;
  /** Default wait of `ctx.backoff` without retryAfter, in milliseconds. */
  defaultBackoffMs: number;
  /** Backoffs after which a job fails, so that a runbook that always backs off cannot run forever. */
  maxBackoffs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  maxAttempts: 10,
  defaultBackoffMs: 60_000,
  maxBackoffs: 1000,
};

/**
 * Exponential backoff with "equal jitter": half of the exponential delay is fixed and half is
 * random, so that jobs that failed together do not retry together yet still wait a minimum.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
