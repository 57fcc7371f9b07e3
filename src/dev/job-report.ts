import { pollUntil } from '../poll.js';
import type { Store, JobRecord } from '../storage/store.js';

/** Waits until no job is queued or running, or until timeoutMs passed. */
export async function waitForIdle(store: Store, timeoutMs: number, minimumJobs = 0): Promise<JobRecord[]> {
  const { value } = await pollUntil(
    () => store.listJobs({ limit: 1000 }),
    (jobs) => jobs.length >= minimumJobs && !jobs.some((job) => job.status === 'queued' || job.status === 'running'),
    { timeoutMs, intervalMs: 50 },
  );
  return value;
}

/** Prints each job not printed before, with its outcome and the lines its runbook logged. */
export async function printNewJobs(store: Store, printed: Set<string>, write: (line: string) => void): Promise<void> {
  const jobs = (await store.listJobs({ limit: 1000 })).reverse();
  for (const job of jobs) {
    if (printed.has(job.id) || job.status === 'queued' || job.status === 'running') continue;
    printed.add(job.id);
    const outcome = job.status === 'succeeded' ? 'succeeded' : `${job.status}: ${job.lastError ?? ''}`;
    const waited = job.backoffs > 0 ? `, backed off ${job.backoffs}x` : '';
    write(`  job ${job.runbook} [${job.label}] ${outcome} (attempt ${job.attempts}${waited})`);
    for (const line of await store.getJobLogs(job.id)) {
      const data = line.data ? ` ${JSON.stringify(line.data)}` : '';
      write(`    ${line.level}: ${line.message}${data}`);
    }
  }
}
