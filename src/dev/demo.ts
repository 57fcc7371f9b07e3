import { pollUntil } from '../poll.js';
import type { RunningSimulator as Simulator } from '../sim/index.js';
import { printNewJobs, waitForIdle } from './job-report.js';
import type { DevEnvironment } from './dev-environment.js';

const CUSTOMER = 'wdc';
const STEP_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 50;

/**
 * Drives one app offering through its lifecycle on the simulator (install, automation rule,
 * suspension, removal) and prints what each runbook did after each step.
 */
export async function runDemo(env: DevEnvironment, write: (line: string) => void): Promise<{ failedJobs: number }> {
  const reference = env.app.runtime.solution.appReferences[0];
  if (!reference) throw new Error('the solution names no app reference; give a runbook an appReference to run the demo');
  const { control } = env.simulator;
  const printed = new Set<string>();

  const step = async (title: string, action: () => Promise<{ callIds: number[] }>) => {
    write(`\n▶ ${title}`);
    const { callIds } = await action();
    await waitForDeliveries(env.simulator, callIds);
    await waitForIdle(env.app.runtime.store, STEP_TIMEOUT_MS);
    await printNewJobs(env.app.runtime.store, printed, write);
  };

  await control.createCustomerAccount({ id: CUSTOMER, name: 'Widget Data Center' });
  await step(`customer ${CUSTOMER} installs ${reference}`, () =>
    control.install({
      customer: CUSTOMER,
      offeringReference: reference,
      customFields: { region: 'eu' },
      secrets: { api_token: 'demo-api-token' },
      order: ['application', 'authorization_application', 'policy', 'secrets', 'create'],
    }),
  );
  await waitForVerifiedWebhooks(env.simulator, CUSTOMER);
  const names = await env.app.runtime.secretStore.list({ customerAccountId: CUSTOMER, appReference: reference });
  write(`  stored secrets (names only): ${names.map((entry) => entry.name).join(', ')}`);

  await step(`an automation rule in ${CUSTOMER} calls the app's webhook`, () =>
    control.fire({ customer: CUSTOMER, offeringReference: reference, payload: { text: 'Printer on fire in room 4.12' } }),
  );
  await step(`${CUSTOMER} suspends the app instance`, () =>
    control.update({ customer: CUSTOMER, offeringReference: reference, suspended: true, suspensionComment: 'maintenance' }),
  );
  await step(`${CUSTOMER} removes the app`, () => control.uninstall({ customer: CUSTOMER, offeringReference: reference }));
  const left = await env.app.runtime.secretStore.list({ customerAccountId: CUSTOMER, appReference: reference });
  write(`  stored secrets after the removal: ${left.length === 0 ? 'none' : left.map((entry) => entry.name).join(', ')}`);

  const jobs = await env.app.runtime.store.listJobs({ limit: 1000 });
  const failedJobs = jobs.filter((job) => job.status === 'failed').length;
  write(`\n${jobs.length} jobs ran, ${failedJobs} failed. Database: ${env.dataDir}`);
  return { failedJobs };
}

/** Waits until every delivery call of a step got a 2xx from the runtime. */
async function waitForDeliveries(simulator: Simulator, callIds: number[]): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (const callId of callIds) {
    const { value: attempts, done } = await pollUntil(
      () => simulator.control.deliveries({ callId }),
      (attempts) => attempts.some((attempt) => attempt.ok),
      { timeoutMs: deadline - Date.now(), intervalMs: POLL_INTERVAL_MS },
    );
    if (!done) {
      const last = attempts.at(-1);
      throw new Error(
        `delivery ${last?.event ?? callId} was not accepted within ${STEP_TIMEOUT_MS} ms; last response: ${last?.responseStatus ?? last?.error ?? 'none'} ${last?.responseBody ?? ''}`,
      );
    }
  }
}

/**
 * Waits until the account's webhooks called back on their webhook.verify, because Xurrent
 * sends no automation rule calls to the app webhook that an install creates until then.
 */
export async function waitForVerifiedWebhooks(simulator: Simulator, account: string): Promise<void> {
  const { value: pending, done } = await pollUntil(
    async () => (await simulator.control.webhooks({ account })).filter((webhook) => !webhook.verified),
    (pending) => pending.length === 0,
    { timeoutMs: STEP_TIMEOUT_MS, intervalMs: POLL_INTERVAL_MS },
  );
  if (!done) {
    throw new Error(`webhooks ${pending.map((webhook) => webhook.uri).join(', ')} of ${account} were not verified within ${STEP_TIMEOUT_MS} ms`);
  }
}
