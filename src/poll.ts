import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  /** Pause between two reads, in milliseconds. The last pause is cut short at the deadline. */
  intervalMs: number;
}

/**
 * Calls `read` until `isDone` accepts its value or `timeoutMs` passed, and returns the last
 * value with whether it was accepted. When time runs out, the last read happens at the deadline.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  options: PollOptions,
): Promise<{ value: T; done: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return { value, done: true };
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) return { value, done: false };
    await sleep(Math.min(options.intervalMs, remainingMs));
  }
}
