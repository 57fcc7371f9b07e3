import { afterEach, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged, secretsChanged, type OauthApplicationCredentials } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, waitFor, webhookData, type TestRuntime } from '../support/harness.js';

const APP = 'note-dispatcher';

function install(customer = 'wdc') {
  return webhookData('app_instance.create', { app_offering: { reference: APP }, customer_account_id: customer });
}

function secrets(customer = 'wdc') {
  return webhookData('app_instance.secrets-update', {
    app_offering: { reference: APP },
    customer_account_id: customer,
    application: { nodeID: 'app-node', client_id: 'client-1', client_secret: 'secret-1' },
    authorization_application: { nodeID: 'auth-node', client_id: 'client-2', client_secret: 'secret-2' },
  });
}

describe('token actions', () => {
  let runtime: TestRuntime;

  afterEach(async () => {
    await runtime.close();
  });

  async function start(attempts: number, handler: (token: OauthApplicationCredentials) => void, explicit?: { customerAccountId: string; appReference: string }) {
    const solution = defineSolution({
      secretsWait: { intervalSeconds: 0.1, attempts },
      runbooks: {
        secrets: secretsChanged({ appReferences: [APP] }),
        installed: installationChanged({ event: 'app_instance.create' }, async (ctx) => {
          handler(await ctx.clientCredentialsToken(explicit));
        }),
      },
    });
    runtime = await startRuntime(solution);
    const signer = await createSigner();
    await storeProviderPolicy(runtime, signer);
    return signer;
  }

  it('backs off until the secrets arrive', async () => {
    const tokens: OauthApplicationCredentials[] = [];
    const signer = await start(100, (token) => tokens.push(token));
    const result = await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(install()));
    const jobId = (result.body.jobs as string[])[0]!;
    const waiting = await waitFor(async () => {
      const job = await runtime.app.runtime.store.getJob(jobId);
      return job && job.backoffs > 0 ? job : undefined;
    });
    expect(waiting.lastError).toBe(
      `the client credentials application of customer wdc and app ${APP} is not stored yet; waiting for its app_instance.secrets-update delivery`,
    );
    expect(waiting.attempts).toBe(0);

    await deliver(`${runtime.url}/xurrent/secrets`, await signer.sign(secrets()));
    await waitFor(() => (tokens.length > 0 ? true : undefined));
    expect(tokens[0]).toEqual({ oauthApplicationNodeId: 'app-node', clientId: 'client-1', clientSecret: 'secret-1' });
    expect((await runtime.app.runtime.store.getJob(jobId))?.status).toBe('succeeded');
  });

  it('fails after the wait, naming customer and app', async () => {
    const signer = await start(2, () => {});
    const result = await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(install('acme')));
    const jobId = (result.body.jobs as string[])[0]!;
    const failed = await waitFor(async () => {
      const job = await runtime.app.runtime.store.getJob(jobId);
      return job?.status === 'failed' ? job : undefined;
    });
    expect(failed.backoffs).toBe(2);
    expect(failed.lastError).toBe(
      `the client credentials application of customer acme and app ${APP} is still not stored after 2 backoffs; ` +
        "check that the provider's app_instance.secrets-update webhook points at /xurrent/secrets",
    );
  });

  it('reads another customer and app when named', async () => {
    const tokens: OauthApplicationCredentials[] = [];
    const signer = await start(1, (token) => tokens.push(token), { customerAccountId: 'widget', appReference: APP });
    await deliver(`${runtime.url}/xurrent/secrets`, await signer.sign(secrets('widget')));
    await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(install('wdc')));
    await waitFor(() => (tokens.length > 0 ? true : undefined));
    expect(tokens[0]?.clientId).toBe('client-1');
  });
});
