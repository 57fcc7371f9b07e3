import type { CustomerApp } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import { FailSignal } from '../engine/signals.js';

/** Returns the customer account and app an action acts for: the explicit target, else the job's trigger. */
export function resolveTarget(job: JobRecord, target: CustomerApp | undefined, action: string): CustomerApp {
  if (target) {
    if (!target.customerAccountId || !target.appReference) {
      throw new FailSignal(`${action}: the target needs both customerAccountId and appReference`);
    }
    return target;
  }
  if (job.customerAccountId && job.appReference) {
    return { customerAccountId: job.customerAccountId, appReference: job.appReference };
  }
  throw new FailSignal(
    `${action}: the trigger of runbook ${job.runbook} names no customer account and app reference; ` +
      'pass { customerAccountId, appReference } to the action',
  );
}
