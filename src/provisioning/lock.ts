import { randomUUID } from 'node:crypto';
import { XacError } from '../errors.js';
import type { Store } from '../storage/store.js';

const LOCK_NAME = 'xac-provisioning';
/** A run that crashed frees the lock after this long, because it stops renewing it. */
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
const RETRY_MS = 250;

/**
 * Runs `fn` while holding the provisioning lock in the store, so that two processes sharing
 * the database never provision at once. The lock is renewed while `fn` runs.
 */
export async function withProvisioningLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const owner = randomUUID();
  const acquire = () => store.tryAcquireLock(LOCK_NAME, owner, new Date(Date.now() + LOCK_TTL_MS), new Date());

  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await acquire())) {
    if (Date.now() > deadline) {
      throw new XacError(
        'XAC_PROVISIONING_BUSY',
        `another process has been provisioning for more than ${LOCK_WAIT_MS / 1000} s with this database; ` +
          `wait for it to finish and try again (the lock of a crashed run expires after ${LOCK_TTL_MS / 1000} s)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }

  const renewal = setInterval(() => {
    acquire().catch(() => undefined);
  }, LOCK_TTL_MS / 3);
  renewal.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await store.releaseLock(LOCK_NAME, owner);
  }
}
