import { InvalidArgumentError, type Command } from 'commander';
import { NotFoundError, XacError } from '../../errors.js';
import type { JobRecord, JobStatus, Store } from '../../storage/store.js';
import { withStore } from '../runtime-env.js';
import { parsePositiveInteger, printRows } from '../shared.js';

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed'];

function parseStatus(value: string): JobStatus {
  if (!STATUSES.includes(value as JobStatus)) throw new InvalidArgumentError(`use one of ${STATUSES.join(', ')}`);
  return value as JobStatus;
}

function jobJson(job: JobRecord): Record<string, unknown> {
  return {
    ...job,
    runAt: job.runAt.toISOString(),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    lockedUntil: job.lockedUntil?.toISOString(),
    finishedAt: job.finishedAt?.toISOString(),
  };
}

async function requireJob(store: Store, id: string): Promise<JobRecord> {
  const job = await store.getJob(id);
  if (!job) throw new NotFoundError(`job ${id} not found; list jobs with \`xac jobs list\``);
  return job;
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('inspect and retry runbook jobs');

  jobs
    .command('list')
    .description('list the latest jobs, newest first')
    .option('--status <status>', `only jobs in this status: ${STATUSES.join(', ')}`, parseStatus)
    .option('--runbook <name>', 'only jobs of this runbook')
    .option('--customer <account>', 'only jobs for this customer account')
    .option('--app <reference>', 'only jobs for this app reference')
    .option('--limit <n>', 'how many jobs to list (default 50)', parsePositiveInteger)
    .option('--json', 'print JSON')
    .action(async (options: { status?: JobStatus; runbook?: string; customer?: string; app?: string; limit?: number; json?: boolean }) => {
      const rows = await withStore((store) =>
        store.listJobs({
          status: options.status,
          runbook: options.runbook,
          customerAccountId: options.customer,
          appReference: options.app,
          limit: options.limit,
        }),
      );
      printRows(rows, {
        json: options.json,
        emptyMessage: 'No jobs.',
        toJson: jobJson,
        toTableRow: (job) => ({
          id: job.id,
          runbook: job.runbook,
          label: job.label,
          status: job.status,
          attempts: `${job.attempts}/${job.maxAttempts}`,
          backoffs: String(job.backoffs),
          created: job.createdAt.toISOString(),
          error: (job.lastError ?? '').slice(0, 80),
        }),
      });
    });

  jobs
    .command('show')
    .description('print one job with its trigger output, error and log lines')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      const { job, logs } = await withStore(async (store) => {
        const job = await requireJob(store, id);
        return { job, logs: await store.getJobLogs(id) };
      });
      console.log(JSON.stringify({ ...jobJson(job), logs: logs.map((line) => ({ ...line, at: line.at.toISOString() })) }, null, 2));
    });

  jobs
    .command('retry')
    .description('queue a failed job again with a fresh count of attempts')
    .argument('<id>', 'job id')
    .action(async (id: string) => {
      await withStore(async (store) => {
        const job = await requireJob(store, id);
        const retried = await store.retryJob(id, new Date());
        if (!retried) throw new XacError('XAC_JOB_NOT_FAILED', `job ${id} is ${job.status}, not failed; only failed jobs can be retried`, 409);
      });
      console.log(`Job ${id} queued again.`);
    });
}
