import { BackoffSignal, FailSignal } from '../engine/signals.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { CustomerApp, OauthApplicationCredentials } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import { resolveTarget } from './target.js';

export type OauthGrant = 'client_credentials' | 'authorization_code';

export interface TokenActionDeps {
  secretStore: SecretStore;
  solution: Solution;
}

const GRANT_LABEL: Record<OauthGrant, string> = {
  client_credentials: 'client credentials application',
  authorization_code: 'authorization code application',
};

/**
 * Returns the OAuth application that Xurrent created in the customer account for the app.
 * Xurrent sends it in a secrets-update delivery that may arrive after the install, so a job
 * started by Xurrent backs off while it is missing and fails only after the solution's
 * secretsWait bound. A job of an external application fails at once: nothing is on its way.
 */
export async function oauthApplication(
  deps: TokenActionDeps,
  job: JobRecord,
  grant: OauthGrant,
  target: CustomerApp | undefined,
): Promise<OauthApplicationCredentials> {
  const action = grant === 'client_credentials' ? 'clientCredentialsToken' : 'authorizationCodeToken';
  const { customerAccountId, appReference } = resolveTarget(job, target, action);
  const secrets = await deps.secretStore.read(customerAccountId, appReference, { blocks: [grant === 'client_credentials' ? 'application' : 'authorization_application'] });
  const application = grant === 'client_credentials' ? secrets.application : secrets.authorizationApplication;
  if (application) return application;

  const what = `the ${GRANT_LABEL[grant]} of customer ${customerAccountId} and app ${appReference}`;
  const startedByXurrent = isXurrentTrigger(job);
  const wait = deps.solution.secretsWait;
  if (startedByXurrent && job.backoffs < wait.attempts) {
    throw new BackoffSignal(`${what} is not stored yet; waiting for its app_instance.secrets-update delivery`, wait.intervalSeconds);
  }
  throw new FailSignal(
    startedByXurrent
      ? `${what} is still not stored after ${job.backoffs} backoffs; check that the provider's app_instance.secrets-update webhook points at /xurrent/secrets`
      : `no ${GRANT_LABEL[grant]} stored for customer ${customerAccountId} and app ${appReference}; is the app installed in that account?`,
  );
}

/** Xurrent's triggers carry webhook facts; an external application's JSON endpoint does not. */
function isXurrentTrigger(job: JobRecord): boolean {
  const trigger = job.trigger as { webhook?: unknown } | null;
  return typeof trigger === 'object' && trigger !== null && 'webhook' in trigger;
}
