import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineSolution, secretsChanged, installationChanged } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, waitFor, webhookData, type Signer, type TestRuntime } from '../support/harness.js';

const APP = 'note-dispatcher';
const SECRETS_URL = '/xurrent/secrets';

function secretsUpdate(blocks: Record<string, unknown>, customer = 'wdc') {
  return webhookData('app_instance.secrets-update', {
    app_offering: { reference: APP, id: 1, nodeID: 'dGVzdC5ob3N0L0FwcE9mZmVyaW5nLzE' },
    customer_account_id: customer,
    ...blocks,
  });
}

const application = { nodeID: 'b2F1dGgvMg', client_id: 'cc-client-id', client_secret: 'cc-client-secret-VALUE-1' };
const authorizationApplication = { nodeID: 'b2F1dGgvMw', client_id: 'ac-client-id', client_secret: 'ac-client-secret-VALUE-2' };

describe('secrets route', () => {
  let runtime: TestRuntime;
  let signer: Signer;
  const changes: unknown[] = [];

  beforeEach(async () => {
    changes.length = 0;
    const solution = defineSolution({
      runbooks: {
        onSecrets: secretsChanged({ appReferences: [APP] }, async (ctx) => {
          changes.push(ctx.trigger);
        }),
        onInstall: installationChanged({ event: 'app_instance.create', appReference: APP }, async () => {}),
      },
    });
    runtime = await startRuntime(solution);
    signer = await createSigner('ES256', 'https://provider.xurrent.com');
    await storeProviderPolicy(runtime, signer);
  });

  afterEach(async () => {
    await runtime.close();
  });

  it('merges blocks from separate deliveries', async () => {
    const customerPolicy = await createSigner('RS256', 'https://wdc.xurrent.com');
    const first = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })));
    expect(first.status).toBe(200);
    await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ authorization_application: authorizationApplication })));
    await deliver(
      runtime.url + SECRETS_URL,
      await signer.sign(secretsUpdate({ policy: { nodeID: 'cG9saWN5', algorithm: 'RS256', public_key: customerPolicy.publicKeyPem, audience: null } })),
    );
    await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ secrets: { api_key: 'api-key-VALUE-3', region: 'eu' } })));
    const last = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ secrets: { api_key: 'api-key-VALUE-4' } })));
    expect(last.status).toBe(200);

    const stored = await runtime.app.runtime.secretStore.read('wdc', APP);
    expect(stored.application).toEqual({ oauthApplicationNodeId: 'b2F1dGgvMg', clientId: 'cc-client-id', clientSecret: 'cc-client-secret-VALUE-1' });
    expect(stored.authorizationApplication?.clientSecret).toBe('ac-client-secret-VALUE-2');
    expect(stored.policy?.algorithm).toBe('RS256');
    expect(stored.policy?.publicKeyPem.trim()).toBe(customerPolicy.publicKeyPem.trim());
    expect(stored.secrets).toEqual({ api_key: 'api-key-VALUE-4', region: 'eu' });
  });

  it('runs the secretsChanged runbook with block names only', async () => {
    const result = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application, secrets: { api_key: 'k-VALUE' } })));
    expect(result.body.jobs).toHaveLength(1);
    await waitFor(() => (changes.length === 1 ? true : undefined), 5000, 'secretsChanged job');
    expect(changes[0]).toMatchObject({
      customerAccountId: 'wdc',
      appReference: APP,
      changed: { application: true, authorizationApplication: false, policy: false, secrets: ['api_key'] },
      webhook: { event: 'app_instance.secrets-update', person: { id: 6, name: 'Howard Tanner' } },
    });
    const job = await runtime.app.runtime.store.getJob(result.body.jobs ? (result.body.jobs as string[])[0]! : '');
    expect(JSON.stringify(job?.trigger)).not.toContain('k-VALUE');
  });

  it('keeps no plaintext secret in the SQLite file', async () => {
    await runtime.close();
    const dir = mkdtempSync(join(tmpdir(), 'xac-bytes-'));
    runtime = await startRuntime(runtime.app.runtime.solution, { dir });
    await storeProviderPolicy(runtime, signer);
    await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application, authorization_application: authorizationApplication, secrets: { api_key: 'api-key-VALUE-3' } })));
    await waitFor(async () => ((await runtime.app.runtime.store.listJobs({ status: 'succeeded' })).length === 1 ? true : undefined));
    await runtime.close();
    const bytes = Buffer.concat(
      ['', '-wal', '-shm']
        .map((suffix) => runtime.databasePath + suffix)
        .map((path) => {
          try {
            return readFileSync(path);
          } catch {
            return Buffer.alloc(0);
          }
        }),
    );
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of ['cc-client-secret-VALUE-1', 'ac-client-secret-VALUE-2', 'api-key-VALUE-3']) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    expect(bytes.includes(Buffer.from('api_key'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
    runtime = await startRuntime(defineSolution({ runbooks: {} }));
  });

  it('acknowledges a replayed jti without a second job', async () => {
    const jwt = await signer.sign(secretsUpdate({ application }));
    const first = await deliver(runtime.url + SECRETS_URL, jwt);
    const again = await deliver(runtime.url + SECRETS_URL, jwt);
    expect(first.body.duplicate).toBe(false);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await runtime.app.runtime.store.listJobs()).toHaveLength(1);
  });

  it('acknowledges a repeated delivery id without a second job', async () => {
    const headers = { 'x-xurrent-delivery': '00c7bb4a-b3ba-4744-8126-1e7ef87ef90a' };
    await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })), headers);
    const again = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })), headers);
    expect(again.body.duplicate).toBe(true);
    expect(await runtime.app.runtime.store.listJobs()).toHaveLength(1);
  });

  it('treats a retry whose origin was recorded as a duplicate', async () => {
    await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })), { 'x-xurrent-delivery': 'first-attempt' });
    const retry = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })), {
      'x-xurrent-delivery': 'second-attempt',
      'x-xurrent-delivery-origin': 'first-attempt',
    });
    expect(retry.body.duplicate).toBe(true);
  });

  it('reads the legacy X-4me-Delivery header', async () => {
    const result = await deliver(runtime.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })), {
      'x-xurrent-delivery': '',
      'x-4me-delivery': 'legacy-delivery-1',
    });
    expect(result.body.delivery).toBe('legacy-delivery-1');
  });

  it('ignores apps the solution does not handle', async () => {
    const data = webhookData('app_instance.secrets-update', {
      app_offering: { reference: 'other-app' },
      customer_account_id: 'wdc',
      application,
    });
    const result = await deliver(runtime.url + SECRETS_URL, await signer.sign(data));
    expect(result.status).toBe(200);
    expect(result.body.jobs).toEqual([]);
    expect(result.body.note).toContain('other-app is not one of this solution\'s apps');
    expect(await runtime.app.runtime.secretStore.list({ appReference: 'other-app' })).toEqual([]);
  });

  it('rejects a malformed block and stores nothing', async () => {
    const result = await deliver(
      runtime.url + SECRETS_URL,
      await signer.sign(secretsUpdate({ application: { nodeID: 'x', client_id: 'id' }, secrets: { api_key: 'k' } })),
    );
    expect(result.status).toBe(422);
    expect(result.body.error).toBe('XAC_SECRET_BLOCK_INVALID');
    expect(result.body.message).toContain('application.client_secret');
    expect(await runtime.app.runtime.secretStore.list()).toEqual([]);
  });

  it('rejects an installation event on the secrets route', async () => {
    const data = webhookData('app_instance.create', { app_offering: { reference: APP }, customer_account_id: 'wdc' });
    const result = await deliver(runtime.url + SECRETS_URL, await signer.sign(data));
    expect(result.status).toBe(422);
    expect(result.body.error).toBe('XAC_EVENT_NOT_HANDLED');
  });

  it('rejects deliveries when no provider policy is stored', async () => {
    const fresh = await startRuntime(defineSolution({ runbooks: {} }));
    try {
      const result = await deliver(fresh.url + SECRETS_URL, await signer.sign(secretsUpdate({ application })));
      expect(result.status).toBe(401);
      expect(result.body.error).toBe('XAC_PROVIDER_POLICY_MISSING');
      expect(result.body.message).toContain('xac policy set');
    } finally {
      await fresh.close();
    }
  });
});
