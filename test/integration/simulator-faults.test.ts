import { afterEach, describe, expect, it } from 'vitest';
import { automationWebhook, defineSolution, installationChanged, secretsChanged } from '../../src/index.js';
import type { JobRecord } from '../../src/storage/store.js';
import { waitForVerifiedWebhooks } from '../../src/dev/demo.js';
import { waitFor } from '../support/harness.js';
import { startSimRuntime, type SimRuntime } from '../support/sim-runtime.js';

const APP = 'note-dispatcher';
const SECRETS_FIRST = ['application', 'authorization_application', 'policy', 'create'] as const;

function solution(seen: string[]) {
  return defineSolution({
    secretsWait: { intervalSeconds: 0.05, attempts: 100 },
    runbooks: {
      secrets: secretsChanged({ appReferences: [APP] }),
      installed: installationChanged({ event: 'app_instance.create', appReference: APP }, async (ctx) => {
        const client = await ctx.xurrent();
        const data = await client.query<{ rateLimit: { remaining: number } }>('query { rateLimit { remaining } }');
        seen.push(`installed:${ctx.trigger.customerAccountId}:${typeof data.rateLimit.remaining}`);
      }),
      updated: installationChanged({ event: 'app_instance.update', appReference: APP }, (ctx) => {
        seen.push(`updated:${ctx.trigger.suspended}`);
      }),
      removed: installationChanged({ event: 'app_instance.delete', appReference: APP }, () => {
        seen.push('removed');
      }),
      note: automationWebhook({ appReference: APP }, (ctx) => {
        seen.push(`note:${String(ctx.trigger.payload.text)}`);
      }),
    },
  });
}

async function finishedJob(env: SimRuntime, runbook: string): Promise<JobRecord> {
  return waitFor(
    async () => (await env.app.runtime.store.listJobs({ runbook })).find((job) => job.status === 'succeeded' || job.status === 'failed'),
    15_000,
    `a finished ${runbook} job`,
  );
}

describe('runtime against the simulator', () => {
  let env: SimRuntime;
  const seen: string[] = [];

  afterEach(async () => {
    seen.length = 0;
    await env.close();
  });

  it('runs install, rule, update and removal', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, secrets: { api_token: 't' } });
    expect((await finishedJob(env, 'installed')).status).toBe('succeeded');
    await waitForVerifiedWebhooks(env.sim, 'wdc');
    await env.sim.control.fire({ customer: 'wdc', offeringReference: APP, payload: { text: 'hello' } });
    await finishedJob(env, 'note');
    await env.sim.control.update({ customer: 'wdc', offeringReference: APP, suspended: true });
    await finishedJob(env, 'updated');
    await env.sim.control.uninstall({ customer: 'wdc', offeringReference: APP });
    await finishedJob(env, 'removed');
    expect(seen).toEqual(['installed:wdc:number', 'note:hello', 'updated:true', 'removed']);
  });

  it('creates one job for a duplicated delivery', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ target: 'delivery', fault: { kind: 'duplicate' }, event: 'app_instance.create', times: 1 });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP });
    await finishedJob(env, 'installed');
    const attempts = await env.sim.control.waitForDelivery((attempt) => attempt.event === 'app_instance.create' && attempt.duplicate);
    expect(attempts.ok).toBe(true);
    expect(await env.app.runtime.store.listJobs({ runbook: 'installed' })).toHaveLength(1);
  });

  it('waits for secrets sent out of order', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ target: 'delivery', fault: { kind: 'outOfOrder' }, event: 'app_instance.secrets-update', times: 1 });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, order: ['application', 'create', 'authorization_application', 'policy'] });
    const job = await finishedJob(env, 'installed');
    expect(job.status).toBe('succeeded');
    expect(job.backoffs).toBeGreaterThan(0);
    const stored = await env.app.runtime.secretStore.read('wdc', APP);
    expect(stored.application?.clientId).toBeTruthy();
    expect(stored.policy?.algorithm).toBe('ES256');
  });

  it.each([
    ['graphql 500', { target: 'graphql', fault: { kind: 'status', status: 500 } }],
    ['graphql malformed JSON', { target: 'graphql', fault: { kind: 'malformedJson' } }],
    ['oauth dropped connection', { target: 'oauth', fault: { kind: 'drop' } }],
    ['oauth 502', { target: 'oauth', fault: { kind: 'status', status: 502 } }],
  ] as const)('retries after %s', async (_name, fault) => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ ...fault, times: 1 } as never);
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, order: [...SECRETS_FIRST] });
    const job = await finishedJob(env, 'installed');
    expect(job.lastError).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(2);
    expect(seen).toEqual(['installed:wdc:number']);
  });

  it('backs off on 429 for Retry-After', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ target: 'graphql', fault: { kind: 'rateLimit', retryAfterSeconds: 1 }, times: 1 });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, order: [...SECRETS_FIRST] });
    const job = await finishedJob(env, 'installed');
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, backoffs: 1 });
  });

  it('backs off on a token endpoint 429', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ target: 'oauth', fault: { kind: 'rateLimit', retryAfterSeconds: 1 }, times: 1 });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, order: [...SECRETS_FIRST] });
    const job = await finishedJob(env, 'installed');
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, backoffs: 1 });
  });

  it('waits out added latency', async () => {
    env = await startSimRuntime(solution(seen));
    await env.sim.control.addFault({ target: 'oauth', fault: { kind: 'latency', ms: 300 }, times: 1 });
    await env.sim.control.install({ customer: 'wdc', offeringReference: APP, order: [...SECRETS_FIRST] });
    expect(await finishedJob(env, 'installed')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });
});
