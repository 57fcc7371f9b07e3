import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import type { Runbook } from '../solution/runbooks.js';
import type { NewJob, SecretWrite } from '../storage/store.js';

/** A runbook whose trigger matched the delivery, with the output its handler would receive. */
export interface Candidate {
  name: string;
  runbook: Runbook;
  output: { customerAccountId?: string; appReference?: string };
}

export interface DispatchInput {
  deliveryId: string;
  jti?: string;
  origin?: string;
  route: string;
  event: string;
  customerAccountId?: string;
  appReference?: string;
  summary: unknown;
  secrets?: SecretWrite[];
  candidates: Candidate[];
  /** Stored as the delivery's note when no runbook matched. */
  noMatchNote?: string;
  /** The runtime's own jobs for the delivery, recorded after the runbooks' jobs; given the time of receipt. */
  internalJobs?: (receivedAt: Date) => NewJob[];
}

export interface DispatchResult {
  delivery: string;
  duplicate: boolean;
  jobs: string[];
  discarded: Array<{ runbook: string; reason: string }>;
  note?: string;
}

/**
 * Applies each runbook's discard function, then stores the delivery, its secrets and one job per
 * kept runbook in one transaction. The caller acknowledges only after this resolves.
 */
export async function recordAndDispatch(runtime: Runtime, input: DispatchInput): Promise<DispatchResult> {
  const now = runtime.now();
  const jobs: NewJob[] = [];
  const discarded: DispatchResult['discarded'] = [];

  for (const candidate of input.candidates) {
    const reason = candidate.runbook.discard?.(candidate.output as never);
    if (reason) {
      discarded.push({ runbook: candidate.name, reason: String(reason) });
      continue;
    }
    if (!candidate.runbook.handler) continue;
    jobs.push({
      id: randomUUID(),
      runbook: candidate.name,
      label: jobLabel(candidate),
      deliveryId: input.deliveryId,
      customerAccountId: candidate.output.customerAccountId,
      appReference: candidate.output.appReference,
      trigger: candidate.output,
      maxAttempts: candidate.runbook.retry?.maxAttempts ?? 10,
      runAt: now,
    });
  }

  const note =
    input.candidates.length === 0
      ? input.noMatchNote
      : jobs.length === 0 && discarded.length > 0
        ? `discarded: ${discarded.map((entry) => `${entry.runbook}: ${entry.reason}`).join('; ')}`
        : undefined;

  const internalJobs = input.internalJobs?.(now) ?? [];
  const { duplicate } = await runtime.store.recordDelivery({
    delivery: {
      id: input.deliveryId,
      jti: input.jti,
      origin: input.origin,
      route: input.route,
      event: input.event,
      customerAccountId: input.customerAccountId,
      appReference: input.appReference,
      receivedAt: now,
      summary: input.summary,
      status: jobs.length + internalJobs.length > 0 || (input.secrets?.length ?? 0) > 0 ? 'accepted' : 'discarded',
      note,
    },
    secrets: input.secrets ?? [],
    jobs: [...jobs, ...internalJobs],
  });

  if (duplicate) return { delivery: input.deliveryId, duplicate: true, jobs: [], discarded: [] };
  if (jobs.length + internalJobs.length > 0) runtime.onJobsRecorded?.();
  return { delivery: input.deliveryId, duplicate: false, jobs: jobs.map((job) => job.id), discarded, ...(note ? { note } : {}) };
}

/** `reference@account`, or the account alone when the runbook names its app reference itself. */
function jobLabel(candidate: Candidate): string {
  const { customerAccountId, appReference } = candidate.output;
  const runbook = candidate.runbook;
  const fixedReference =
    runbook.kind === 'automationWebhook' || (runbook.kind === 'installationChanged' && runbook.appReference !== undefined);
  if (customerAccountId && appReference) return fixedReference ? customerAccountId : `${appReference}@${customerAccountId}`;
  if (customerAccountId) return customerAccountId;
  if (runbook.kind === 'jsonEndpoint') return runbook.path;
  return candidate.name;
}
