import { randomUUID } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import type { RunbookLog } from '../solution/context.js';
import type { JobRecord, NewJob, Store } from '../storage/store.js';
import { FailSignal } from './signals.js';

/**
 * Jobs that the runtime queues for itself. Their runbook names start with `@`, which solution
 * runbook names cannot, and the worker runs them without a solution handler.
 */
export const PURGE_SECRETS_RUNBOOK = '@purge-secrets';

export interface PurgeSecretsJobInput {
  deliveryId: string;
  customerAccountId: string;
  appReference: string;
  /** When the app_instance.delete delivery was received. */
  receivedAt: Date;
  retainSecretsSeconds: number;
}

/**
 * Builds the job that deletes a customer's secrets after the app's removal. It is recorded with the
 * app_instance.delete delivery and after that delivery's runbook jobs, so that per customer and
 * app ordering runs it after them, and not before `retainSecretsSeconds` passed.
 */
export function purgeSecretsJob(input: PurgeSecretsJobInput): NewJob {
  return {
    id: randomUUID(),
    runbook: PURGE_SECRETS_RUNBOOK,
    label: `${input.appReference}@${input.customerAccountId}`,
    deliveryId: input.deliveryId,
    customerAccountId: input.customerAccountId,
    appReference: input.appReference,
    trigger: { customerAccountId: input.customerAccountId, appReference: input.appReference, removedAt: input.receivedAt.toISOString() },
    maxAttempts: 10,
    runAt: new Date(input.receivedAt.getTime() + input.retainSecretsSeconds * 1000),
  };
}

export interface InternalJobDeps {
  store: Store;
  secretStore: SecretStore;
}

export function isInternalJob(job: Pick<JobRecord, 'runbook'>): boolean {
  return job.runbook.startsWith('@');
}

export async function runInternalJob(deps: InternalJobDeps, job: JobRecord, log: RunbookLog): Promise<void> {
  switch (job.runbook) {
    case PURGE_SECRETS_RUNBOOK:
      return purgeSecrets(deps, job, log);
    default:
      throw new FailSignal(`internal job ${job.runbook} is unknown to this version of the runtime; run the version that queued it`);
  }
}

/**
 * Deletes the secrets that were stored up to the removal, the step results of the pair's jobs
 * from before it, and the data key with the cached tokens when nothing newer is left. A reinstall before the purge runs sends new secrets in secrets-update deliveries
 * received after the removal. Those stay readable, and so does the key they are sealed under.
 */
async function purgeSecrets(deps: InternalJobDeps, job: JobRecord, log: RunbookLog): Promise<void> {
  if (!job.customerAccountId || !job.appReference) {
    throw new FailSignal(`${PURGE_SECRETS_RUNBOOK} job ${job.id} names no customer account and app reference`);
  }
  const delivery = await deps.store.getDelivery(job.deliveryId);
  const removedAt = delivery?.receivedAt ?? job.createdAt;
  const result = await deps.secretStore.destroy(job.customerAccountId, job.appReference, { updatedUpTo: removedAt });
  const where = `customer ${job.customerAccountId} and app ${job.appReference}`;
  if (result.keptSecrets > 0) {
    log.info(`deleted ${result.deletedSecrets} secrets of ${where}; kept ${result.keptSecrets} received after the removal (reinstall) and their data key`, {
      ...result,
    });
    return;
  }
  log.info(`deleted ${result.deletedSecrets} secrets of ${where} and destroyed their data key`, { ...result });
}
