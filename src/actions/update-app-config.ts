import { FailSignal } from '../engine/signals.js';
import type { UpdateAppConfigOptions } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import { XurrentMutationError } from '../xurrent/errors.js';
import { findAppInstance, resolveInstanceTarget } from './app-instance.js';
import { providerClient } from './clients.js';
import type { ActionDeps } from './deps.js';

const ACTION = 'updateAppConfig';

const APP_INSTANCE_UPDATE = `mutation AppInstanceUpdate($input: AppInstanceUpdateInput!) {
  appInstanceUpdate(input: $input) {
    errors { path message }
    appInstance { id }
  }
}`;

/**
 * `ctx.updateAppConfig`: sends appInstanceUpdate for the customer's app instance inside a step,
 * so that a run after a backoff, retry or crash returns the recorded id instead of sending it again.
 */
export async function updateAppConfig(deps: ActionDeps, job: JobRecord, options: UpdateAppConfigOptions): Promise<string> {
  const changes = buildChanges(options);
  const target = resolveInstanceTarget(job, options, ACTION);

  return deps.journal.run(deps.journal.nextActionStepName(ACTION), async () => {
    const client = providerClient(deps.connection, ACTION, deps.logger);
    const instance = await findAppInstance(client, target, ACTION);
    try {
      const payload = await client.mutate<{ appInstance: { id: string } | null }>('appInstanceUpdate', APP_INSTANCE_UPDATE, {
        input: { id: instance.id, ...changes },
      });
      return payload.appInstance?.id ?? instance.id;
    } catch (error) {
      if (!(error instanceof XurrentMutationError)) throw error;
      const details = error.errors
        .map((entry) => {
          const path = Array.isArray(entry.path) ? entry.path.join('.') : (entry.path ?? '');
          return path === '' ? entry.message : `${path}: ${entry.message}`;
        })
        .join('; ');
      throw new FailSignal(
        `${ACTION}: Xurrent rejected the update of the app instance of customer ${target.customerAccountId} and app ${target.appReference}: ${details}`,
      );
    }
  });
}

/** Builds the AppInstanceUpdateInput fields besides the id, and fails the job for invalid options. */
function buildChanges(options: UpdateAppConfigOptions): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new FailSignal(`${ACTION}: pass { customFields?, disabled?, suspension? }`);
  }
  const changes: Record<string, unknown> = {};
  if (options.customFields !== undefined) {
    if (typeof options.customFields !== 'object' || options.customFields === null || Array.isArray(options.customFields)) {
      throw new FailSignal(`${ACTION}: customFields must be an object of values by field id, for example { status: 'connected' }`);
    }
    changes.customFields = Object.entries(options.customFields).map(([id, value]) => ({ id, value: value ?? null }));
  }
  if (options.disabled !== undefined) {
    if (typeof options.disabled !== 'boolean') throw new FailSignal(`${ACTION}: disabled must be true or false`);
    changes.disabled = options.disabled;
  }
  if (options.suspension !== undefined) {
    const { suspended, comment } = options.suspension ?? {};
    if (typeof suspended !== 'boolean') throw new FailSignal(`${ACTION}: suspension.suspended must be true or false`);
    changes.suspended = suspended;
    if (comment !== undefined) changes.suspensionComment = comment;
  }
  if (Object.keys(changes).length === 0) {
    throw new FailSignal(`${ACTION}: nothing to update; pass customFields, disabled or suspension`);
  }
  return changes;
}
