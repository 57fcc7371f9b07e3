import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged, secretsChanged } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, waitFor, webhookData, type TestRuntime } from '../support/harness.js';

const SECRET_VALUES = ['cc-secret-LOGCHECK-1', 'ac-secret-LOGCHECK-2', 'field-secret-LOGCHECK-3'];

describe('logs', () => {
  let runtime: TestRuntime;
  let output = '';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged({}, (ctx) => ctx.log.info('secrets changed', { changed: ctx.trigger.changed })),
        installed: installationChanged({ event: 'app_instance.create' }, async (ctx) => {
          const application = await ctx.clientCredentialsToken();
          ctx.log.info('token read', { clientId: application.clientId });
          throw new Error('downstream failed');
        }),
      },
    });
    runtime = await startRuntime(solution, { logger: pino({ level: 'debug' }, sink) });
    const signer = await createSigner();
    await storeProviderPolicy(runtime, signer);
    const payload = {
      app_offering: { reference: 'app' },
      customer_account_id: 'wdc',
      application: { nodeID: 'n1', client_id: 'client-1', client_secret: SECRET_VALUES[0] },
      authorization_application: { nodeID: 'n2', client_id: 'client-2', client_secret: SECRET_VALUES[1] },
      secrets: { api_key: SECRET_VALUES[2] },
    };
    await deliver(`${runtime.url}/xurrent/secrets`, await signer.sign(webhookData('app_instance.secrets-update', payload)));
    await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(webhookData('app_instance.create', payload)));
    // A malformed block is rejected; its error must not echo the values either.
    await deliver(
      `${runtime.url}/xurrent/secrets`,
      await signer.sign(webhookData('app_instance.secrets-update', { ...payload, application: { client_secret: SECRET_VALUES[0] } })),
    );
    await waitFor(async () => ((await runtime.app.runtime.store.listJobs({ status: 'queued' })).some((job) => job.attempts === 1) ? true : undefined));
  });

  afterAll(async () => {
    await runtime.close();
  });

  it('carry context ids', () => {
    expect(output).toContain('"deliveryId"');
    expect(output).toContain('"customerAccountId":"wdc"');
    expect(output).toContain('"jobId"');
  });

  it('never contain secret values', () => {
    for (const value of SECRET_VALUES) expect(output).not.toContain(value);
  });

  it('keep secrets out of job records', async () => {
    const jobs = await runtime.app.runtime.store.listJobs({ limit: 100 });
    const text = JSON.stringify(jobs) + JSON.stringify(await Promise.all(jobs.map((job) => runtime.app.runtime.store.getJobLogs(job.id))));
    for (const value of SECRET_VALUES) expect(text).not.toContain(value);
  });
});
