import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { XurrentConnection } from '../connection/xurrent-connection.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { JobOutcome, JobRecord, Store } from '../storage/store.js';
import { buildContext } from './context.js';
import { isInternalJob, runInternalJob } from './internal-jobs.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { BackoffSignal, FailSignal } from './signals.js';

export interface WorkerOptions {
  store: Store;
  secretStore: SecretStore;
  solution: Solution;
  logger: Logger;
  connection?: XurrentConnection;
  now?: () => Date;
  retryPolicy?: Partial<RetryPolicy>;
  /** How long a claimed job stays with this worker without a heartbeat, in milliseconds. Default 60 000. */
  leaseMs?: number;
  /** Maximum wait between two checks for due jobs, in milliseconds. Default 1000. */
  pollIntervalMs?: number;
  /** Defaults to the solution's concurrency. */
  concurrency?: number;
  workerId?: string;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * Claims due jobs and runs their runbooks. Several workers, in one process or several, may share
 * a store: claiming is a transaction, and a job whose lease runs out is claimed again, so the
 * jobs of a crashed process complete elsewhere (at least once).
 */
export class Worker {
  readonly id: string;
  private readonly store: Store;
  private readonly solution: Solution;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly retryPolicy: RetryPolicy;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly secretStore: SecretStore;
  private readonly connection?: XurrentConnection;
  private readonly runbookLimits: Record<string, number>;
  private lastClaimAt = 0;
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(options: WorkerOptions) {
    this.store = options.store;
    this.secretStore = options.secretStore;
    this.connection = options.connection;
    this.solution = options.solution;
    this.now = options.now ?? (() => new Date());
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy };
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? options.solution.concurrency;
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.runbookLimits = {};
    for (const [name, runbook] of options.solution.runbooks) {
      if (runbook.concurrency !== undefined) this.runbookLimits[name] = runbook.concurrency;
    }
    this.logger = options.logger.child({ component: 'worker', workerId: this.id });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.logger.info({ concurrency: this.concurrency }, 'worker started');
    this.loop = this.runLoop();
  }

  /** Wakes the worker after new jobs were stored, so that it does not wait for the next poll. */
  notify(): void {
    this.wake?.();
  }

  /** Stops claiming and waits for running jobs; a job still running after graceMs is left to its lease. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    const all = Promise.all(this.running);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    this.logger.info({ unfinished: this.running.size }, 'worker stopped');
  }

  /** Claims and runs due jobs until none is left; for tests and one-shot runs. */
  async drain(): Promise<number> {
    let count = 0;
    for (;;) {
      const job = await this.claim();
      if (!job) return count;
      await this.runJob(job);
      count++;
    }
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        while (!this.stopped && this.running.size < this.concurrency) {
          const job = await this.claim();
          if (!job) break;
          const run: Promise<void> = this.runJob(job).finally(() => {
            this.running.delete(run);
            this.wake?.();
          });
          this.running.add(run);
        }
      } catch (error) {
        this.logger.error({ err: error }, 'claiming a job failed; trying again after the poll interval');
      }
      if (this.stopped) break;
      await this.sleep();
    }
  }

  private claim(): Promise<JobRecord | undefined> {
    const now = this.now();
    this.lastClaimAt = now.getTime();
    return this.store.claimJob(this.id, this.leaseMs, now, { runbookLimits: this.runbookLimits });
  }

  private async sleep(): Promise<void> {
    let delay = this.pollIntervalMs;
    try {
      const due = await this.store.nextRunAt();
      // A job that was due at the last claim but not claimed waits for another job of its
      // customer and app or of its runbook, or for a free slot here. Those wake this worker when
      // they finish here and the poll interval applies otherwise, so that the loop does not spin.
      if (due && due.getTime() > this.lastClaimAt) delay = Math.max(0, Math.min(delay, due.getTime() - this.now().getTime()));
    } catch {
      // The poll interval is a safe fallback; the claim that follows reports a broken store.
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }

  private async runJob(job: JobRecord): Promise<void> {
    const runbook = this.solution.runbooks.get(job.runbook);
    const logger = this.logger.child({
      jobId: job.id,
      runbook: job.runbook,
      deliveryId: job.deliveryId,
      customerAccountId: job.customerAccountId,
      appReference: job.appReference,
      attempt: job.attempts,
    });
    const heartbeat = setInterval(() => {
      this.store.extendLease(job.id, this.id, new Date(this.now().getTime() + this.leaseMs)).then(
        (kept) => {
          if (!kept) logger.warn('lease of the running job was lost; another worker may run it again');
        },
        (error: unknown) => logger.error({ err: error }, 'extending the lease of the running job failed'),
      );
    }, Math.max(1000, Math.floor(this.leaseMs / 3)));

    const { ctx, logLines } = buildContext(
      { solution: this.solution, store: this.store, secretStore: this.secretStore, now: this.now, connection: this.connection },
      job,
      logger,
    );
    let outcome: JobOutcome;
    try {
      if (isInternalJob(job)) {
        logger.info('internal job started');
        await runInternalJob({ store: this.store, secretStore: this.secretStore }, job, ctx.log);
      } else {
        if (!runbook?.handler) {
          throw new FailSignal(`runbook ${job.runbook} is not in the solution this worker runs; deploy the solution that created the job`);
        }
        logger.info('job started');
        await runbook.handler(ctx as never);
      }
      outcome = { kind: 'succeeded' };
    } catch (error) {
      outcome = this.outcomeOf(job, error);
    } finally {
      clearInterval(heartbeat);
    }

    try {
      await this.store.appendJobLogs(job.id, logLines);
      const kept = await this.store.finishJob(job.id, this.id, outcome, this.now());
      if (!kept) {
        logger.warn({ outcome: outcome.kind }, 'job finished after its lease was lost; another worker owns it now');
        return;
      }
      this.logOutcome(logger, outcome);
    } catch (error) {
      logger.error({ err: error, outcome: outcome.kind }, 'storing the outcome of the job failed; its lease will run out and it runs again');
    }
  }

  private outcomeOf(job: JobRecord, error: unknown): JobOutcome {
    const now = this.now().getTime();
    if (error instanceof BackoffSignal) {
      if (job.backoffs >= this.retryPolicy.maxBackoffs) {
        return { kind: 'failed', error: truncate(`backed off ${job.backoffs} times, the limit; last reason: ${error.reason}`) };
      }
      const waitMs = error.retryAfterSeconds !== undefined ? Math.max(0, error.retryAfterSeconds * 1000) : this.retryPolicy.defaultBackoffMs;
      return { kind: 'backoff', runAt: new Date(now + waitMs), reason: truncate(error.reason) };
    }
    if (error instanceof FailSignal) return { kind: 'failed', error: truncate(error.message) };
    // Errors marked as not retryable, such as rejected credentials, fail the job at once.
    if (error instanceof Error && (error as { retryable?: unknown }).retryable === false) {
      return { kind: 'failed', error: truncate(describe(error)) };
    }

    const message = truncate(describe(error));
    if (job.attempts >= job.maxAttempts) {
      return { kind: 'failed', error: `${message} (attempt ${job.attempts} of ${job.maxAttempts}, no retries left)` };
    }
    return { kind: 'retry', runAt: new Date(now + retryDelayMs(this.retryPolicy, job.attempts)), error: message };
  }

  private logOutcome(logger: Logger, outcome: JobOutcome): void {
    switch (outcome.kind) {
      case 'succeeded':
        logger.info('job succeeded');
        break;
      case 'backoff':
        logger.info({ runAt: outcome.runAt.toISOString(), reason: outcome.reason }, 'job backed off');
        break;
      case 'retry':
        logger.warn({ runAt: outcome.runAt.toISOString(), error: outcome.error }, 'job failed; retry scheduled');
        break;
      case 'failed':
        logger.error({ error: outcome.error }, 'job failed');
        break;
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error value thrown: ${String(error)}`;
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
