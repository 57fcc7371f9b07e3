import type { z } from 'zod';
import { BackoffSignal, FailSignal } from '../engine/signals.js';
import { isSecretField } from '../solution/secret-field.js';
import type { AppConfig, RetrieveAppConfigOptions } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import { findAppInstance, resolveInstanceTarget } from './app-instance.js';
import { providerClient } from './clients.js';
import type { ActionDeps } from './deps.js';

const ACTION = 'retrieveAppConfig';
const DEFAULT_BACKOFF_SECONDS = 60;

/**
 * `ctx.retrieveAppConfig`: reads the schema's fields from the stored secret form fields and the
 * app instance's custom fields. Xurrent delivers both after the install and in no fixed order,
 * so a missing required value backs off until `maxBackoffs`.
 */
export async function retrieveAppConfig<Schema extends z.ZodObject>(
  deps: ActionDeps,
  job: JobRecord,
  options: RetrieveAppConfigOptions<Schema>,
): Promise<AppConfig<z.output<Schema>>> {
  const { schema, backoff, maxBackoffs } = checkOptions(deps, options);
  const target = resolveInstanceTarget(job, options, ACTION);
  const where = `customer ${target.customerAccountId} and app ${target.appReference}`;

  const instance = await findAppInstance(providerClient(deps.connection, ACTION, deps.logger), target, ACTION);
  const stored = await deps.secretStore.read(target.customerAccountId, target.appReference);
  const customFields = new Map((instance.customFields ?? []).map((field) => [field.id, field.value]));

  const values: Record<string, unknown> = {};
  const missingSecrets: string[] = [];
  const missingCustomFields: string[] = [];
  for (const [field, fieldSchema] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const secret = isSecretField(fieldSchema);
    const raw = secret ? stored.secrets[field] : customFields.get(field);
    if (raw !== undefined && raw !== null) {
      values[field] = raw;
    } else if (!fieldSchema.safeParse(undefined).success) {
      (secret ? missingSecrets : missingCustomFields).push(field);
    }
  }

  const missing = [
    ...(missingSecrets.length > 0 ? [`Required secrets not available yet: ${missingSecrets.join(', ')}`] : []),
    ...(missingCustomFields.length > 0 ? [`Required custom fields not available yet: ${missingCustomFields.join(', ')}`] : []),
  ].join('; ');
  if (missing !== '') {
    const pair = `customer ${target.customerAccountId}, app ${target.appReference}`;
    if (job.backoffs < maxBackoffs) throw new BackoffSignal(`${missing} (${pair})`, backoff);
    throw new FailSignal(
      `${missing} (${pair}), still after ${job.backoffs} backoffs; check the configuration form of the app offering ` +
        "and that the provider's app_instance.secrets-update webhook points at /xurrent/secrets",
    );
  }

  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    // Zod's issue messages name expected types and options, never the received value, so no secret leaks here.
    const details = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(config)'}: ${issue.message}`).join('; ');
    throw new FailSignal(`${ACTION}: the configuration of ${where} is invalid: ${details}`);
  }

  return {
    config: parsed.data as z.output<Schema>,
    disabled: instance.disabled ?? false,
    enabledByCustomer: instance.enabledByCustomer ?? false,
    suspended: instance.suspended ?? false,
    suspensionComment: instance.suspensionComment ?? null,
    appInstanceId: instance.id,
  };
}

function checkOptions<Schema extends z.ZodObject>(
  deps: ActionDeps,
  options: RetrieveAppConfigOptions<Schema>,
): { schema: Schema; backoff: number; maxBackoffs: number } {
  const schema = options?.schema as unknown;
  if (typeof schema !== 'object' || schema === null || typeof (schema as { shape?: unknown }).shape !== 'object') {
    throw new FailSignal(`${ACTION}: pass { schema: z.object({ <field id>: <zod type>, ... }) }`);
  }
  const backoff = options.backoff ?? DEFAULT_BACKOFF_SECONDS;
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 0) {
    throw new FailSignal(`${ACTION}: backoff ${String(backoff)} is invalid; use a number of seconds of 0 or more`);
  }
  const maxBackoffs = options.maxBackoffs ?? deps.solution.secretsWait.attempts;
  if (!Number.isInteger(maxBackoffs) || maxBackoffs < 0) {
    throw new FailSignal(`${ACTION}: maxBackoffs ${String(maxBackoffs)} is invalid; use a whole number of 0 or more`);
  }
  return { schema: options.schema, backoff, maxBackoffs };
}
