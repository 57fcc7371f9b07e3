import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineSolution,
  installationChanged,
  jsonEndpoint,
  secret,
  secretsChanged,
  type AppConfig,
  type InstallationChangedOutput,
} from '../../src/index.js';
import type { JobRecord } from '../../src/storage/store.js';
import { postJson, waitFor } from '../support/harness.js';
import { startSimRuntime, type SimRuntime } from '../support/sim-runtime.js';

const APP = 'note-dispatcher';

const schema = z.object({
  region: z.enum(['eu', 'us']),
  tier: z.string().optional(),
  bounces: z.number().optional(),
  api_token: secret(z.string().min(1)),
  webhook_secret: secret(z.string()).optional(),
});

type Config = AppConfig<z.output<typeof schema>>;

describe('app config actions', () => {
  let env: SimRuntime;
  const configs = new Map<string, Config>();
  const updates: InstallationChangedOutput[] = [];
  const updateIds: string[] = [];
  const maxBackoffs: Record<string, number> = {};

  beforeAll(async () => {
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged({ appReferences: [APP] }),
        installed: installationChanged({ event: 'app_instance.create', appReference: APP }, async (ctx) => {
          const customer = ctx.trigger.customerAccountId;
          configs.set(customer, await ctx.retrieveAppConfig({ schema, backoff: 0.05, maxBackoffs: maxBackoffs[customer] ?? 200 }));
        }),
        updated: installationChanged({ event: 'app_instance.update', appReference: APP }, (ctx) => {
          updates.push(ctx.trigger);
        }),
        probe: jsonEndpoint({ path: 'probe', auth: 'none' }, async (ctx) => {
          const { scenario } = ctx.trigger.body as { scenario: string };
          switch (scenario) {
            case 'suspend':
              updateIds.push(await ctx.updateAppConfig({ suspension: { suspended: true, comment: 'billing overdue' } }));
              return;
            case 'blank-field':
              await ctx.updateAppConfig({ customFields: { '': 'x' } });
              return;
            case 'retry-once':
              updateIds.push(await ctx.updateAppConfig({ customFields: { status: 'connected' } }));
              if (ctx.job.attempt === 1) throw new Error('connection lost after the update');
              return;
            case 'unknown':
              await ctx.retrieveAppConfig({ schema, customerAccountId: 'nobody', appReference: APP });
              return;
          }
        }),
      },
    });
    env = await startSimRuntime(solution);
  });

  afterAll(async () => {
    await env.close();
  });

  async function finished(runbook: string, customer: string): Promise<JobRecord> {
    return waitFor(
      async () =>
        (await env.app.runtime.store.listJobs({ runbook, customerAccountId: customer })).find(
          (job) => job.status === 'succeeded' || job.status === 'failed',
        ),
      15_000,
      `a finished ${runbook} job of ${customer}`,
    );
  }

  async function probe(customer: string, scenario: string): Promise<JobRecord> {
    const response = await postJson(`${env.url}/hooks/probe`, { customer_account_id: customer, app_reference: APP, scenario });
    expect(response.status).toBe(202);
    const [id] = response.body.jobs as string[];
    return waitFor(
      async () => {
        const job = await env.app.runtime.store.getJob(id!);
        return job?.status === 'succeeded' || job?.status === 'failed' ? job : undefined;
      },
      15_000,
      `probe ${scenario}`,
    );
  }

  async function install(customer: string, input: { customFields?: Record<string, unknown>; secrets?: Record<string, string> }) {
    await env.sim.control.install({ customer, offeringReference: APP, order: ['create', 'application', 'policy', 'secrets'], ...input });
  }

  it('waits for secrets sent after the install', async () => {
    await install('late', { customFields: { region: 'eu' } });
    const waiting = await waitFor(async () => {
      const [job] = await env.app.runtime.store.listJobs({ runbook: 'installed', customerAccountId: 'late' });
      return job && job.backoffs > 0 ? job : undefined;
    });
    expect(waiting.lastError).toBe(`Required secrets not available yet: api_token (customer late, app ${APP})`);

    await env.sim.control.update({ customer: 'late', offeringReference: APP, secrets: { api_token: 'token-1' } });

    expect((await finished('installed', 'late')).status).toBe('succeeded');
    const instance = await env.sim.control.appInstance({ customer: 'late', offeringReference: APP });
    expect(configs.get('late')).toEqual({
      config: { region: 'eu', api_token: 'token-1' },
      disabled: false,
      enabledByCustomer: true,
      suspended: false,
      suspensionComment: null,
      appInstanceId: instance.nodeId,
    });
  });

  it('reads each field kind', async () => {
    await install('full', {
      customFields: { region: 'us', tier: 'gold', bounces: 3 },
      secrets: { api_token: 'token-2', webhook_secret: 'whsec-2' },
    });
    await install('minimal', { customFields: { region: 'eu', tier: null }, secrets: { api_token: 'token-3' } });

    expect((await finished('installed', 'full')).status).toBe('succeeded');
    expect((await finished('installed', 'minimal')).status).toBe('succeeded');
    expect(configs.get('full')?.config).toStrictEqual({ region: 'us', tier: 'gold', bounces: 3, api_token: 'token-2', webhook_secret: 'whsec-2' });
    expect(configs.get('minimal')?.config).toStrictEqual({ region: 'eu', api_token: 'token-3' });
  });

  it('fails after maxBackoffs naming the field', async () => {
    maxBackoffs.unset = 2;
    await install('unset', { secrets: { api_token: 'token-4' } });
    const job = await finished('installed', 'unset');
    expect(job).toMatchObject({ status: 'failed', backoffs: 2 });
    expect(job.lastError).toBe(
      `Required custom fields not available yet: region (customer unset, app ${APP}), still after 2 backoffs; ` +
        "check the configuration form of the app offering and that the provider's app_instance.secrets-update webhook points at /xurrent/secrets",
    );
  });

  it('fails naming an invalid field', async () => {
    await install('mars', { customFields: { region: 'mars' }, secrets: { api_token: 'token-5' } });
    const job = await finished('installed', 'mars');
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.lastError).toBe(`retrieveAppConfig: the configuration of customer mars and app ${APP} is invalid: region: Invalid option: expected one of "eu"|"us"`);
  });

  it('fails for an unknown instance', async () => {
    const job = await probe('acme', 'unknown');
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.lastError).toBe(
      `retrieveAppConfig: no app instance of app ${APP} for customer nobody in provider account provider; ` +
        'is the app installed in that account, and does the provider OAuth application have the app-instance:Read scope?',
    );
  });

  it('round-trips a suspension', async () => {
    await install('paused', { customFields: { region: 'eu' }, secrets: { api_token: 'token-6' } });
    await finished('installed', 'paused');

    const job = await probe('paused', 'suspend');

    expect(job.status).toBe('succeeded');
    const instance = await env.sim.control.appInstance({ customer: 'paused', offeringReference: APP });
    expect(instance).toMatchObject({ suspended: true, suspensionComment: 'billing overdue' });
    expect(updateIds).toContain(instance.nodeId);
    const update = await waitFor(() => updates.find((trigger) => trigger.customerAccountId === 'paused'));
    expect(update).toMatchObject({ suspended: true, disabled: false, enabledByCustomer: true, webhook: { event: 'app_instance.update' } });
  });

  it('reports validation errors with paths', async () => {
    await install('blank', { customFields: { region: 'eu' }, secrets: { api_token: 'token-7' } });
    await finished('installed', 'blank');

    const job = await probe('blank', 'blank-field');

    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job.lastError).toBe(
      `updateAppConfig: Xurrent rejected the update of the app instance of customer blank and app ${APP}: customFields.0.id: can't be blank`,
    );
  });

  it('sends an update once across retries', async () => {
    await install('once', { customFields: { region: 'eu' }, secrets: { api_token: 'token-8' } });
    await finished('installed', 'once');
    await env.sim.control.clearDeliveries();

    const job = await probe('once', 'retry-once');

    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const instance = await env.sim.control.appInstance({ customer: 'once', offeringReference: APP });
    expect(instance.customFields).toContainEqual({ id: 'status', value: 'connected' });
    await waitFor(() => updates.find((trigger) => trigger.customerAccountId === 'once'));
    // Time for a second update, if one were sent, to reach the delivery log.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = await env.sim.control.deliveries({ event: 'app_instance.update', customerAccountId: 'once' });
    expect(sent.map((attempt) => attempt.attempt)).toEqual([1]);
    expect(updateIds.filter((id) => id === instance.nodeId)).toHaveLength(2);
  });
});
