import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { automationWebhook, defineSolution, installationChanged, secretsChanged } from '../../src/index.js';
import type { OauthApplicationCredentials } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, waitFor, webhookData, type Signer, type TestRuntime } from '../support/harness.js';

const APP = 'note-dispatcher';

describe('installation and automation routes', () => {
  let runtime: TestRuntime;
  let provider: Signer;
  let wdcPolicy: Signer;
  let widgetPolicy: Signer;
  const seen: Array<{ runbook: string; trigger: unknown; token?: OauthApplicationCredentials }> = [];

  beforeAll(async () => {
    const solution = defineSolution({
      runbooks: {
        secrets: secretsChanged({ appReferences: [APP] }),
        installed: installationChanged({ event: 'app_instance.create', appReference: APP }, async (ctx) => {
          seen.push({ runbook: 'installed', trigger: ctx.trigger, token: await ctx.clientCredentialsToken() });
        }),
        anyUpdate: installationChanged({ event: 'app_instance.update' }, async (ctx) => {
          seen.push({ runbook: 'anyUpdate', trigger: ctx.trigger });
        }),
        suspendedOnly: installationChanged(
          { event: 'app_instance.update', discard: (output) => (output.suspended ? false : 'instance is not suspended') },
          async (ctx) => {
            seen.push({ runbook: 'suspendedOnly', trigger: ctx.trigger });
          },
        ),
        note: automationWebhook(
          { appReference: APP, payload: z.object({ text: z.string(), url: z.string().optional() }) },
          async (ctx) => {
            seen.push({ runbook: 'note', trigger: ctx.trigger });
          },
        ),
      },
    });
    runtime = await startRuntime(solution);
    provider = await createSigner('ES256', 'https://provider.xurrent.com', 'integrations provided by provider');
    wdcPolicy = await createSigner('RS256', 'https://wdc.xurrent.com');
    widgetPolicy = await createSigner('ES384', 'https://widget.xurrent.com');
    await storeProviderPolicy(runtime, provider);

    for (const [customer, policy] of [['wdc', wdcPolicy], ['widget', widgetPolicy]] as const) {
      const data = webhookData('app_instance.secrets-update', {
        app_offering: { reference: APP },
        customer_account_id: customer,
        application: { nodeID: `app-${customer}`, client_id: `id-${customer}`, client_secret: `secret-${customer}` },
        policy: { nodeID: `policy-${customer}`, algorithm: policy.algorithm, public_key: policy.publicKeyPem, audience: null },
      });
      const result = await deliver(`${runtime.url}/xurrent/secrets`, await provider.sign(data));
      expect(result.status).toBe(200);
    }
  });

  afterAll(async () => {
    await runtime.close();
  });

  function install(event: string, extra: Record<string, unknown> = {}) {
    return webhookData(event, {
      app_offering: { reference: APP, id: 2, nodeID: 'dGVzdC5ob3N0L0FwcE9mZmVyaW5nLzI', updated: false },
      customer_account_id: 'wdc',
      disabled: false,
      enabled_by_customer: true,
      suspended: false,
      customer_representative: { id: 568, disabled: false, name: 'Tom Waters', account: { id: 'wdc', name: 'Widget Data Center' }, sourceID: '87123', nodeID: 'cGVyc29uLzU2OA' },
      ...extra,
    });
  }

  it('runs installationChanged with camelCase output and the customer token', async () => {
    const result = await deliver(`${runtime.url}/xurrent/installations`, await provider.sign(install('app_instance.create')), {
      'x-xurrent-delivery': 'install-1',
    });
    expect(result.status).toBe(200);
    const entry = await waitFor(() => seen.find((item) => item.runbook === 'installed'));
    expect(entry.trigger).toEqual({
      customerAccountId: 'wdc',
      appReference: APP,
      appOffering: { reference: APP, id: 2, nodeId: 'dGVzdC5ob3N0L0FwcE9mZmVyaW5nLzI', updated: false },
      disabled: false,
      enabledByCustomer: true,
      suspended: false,
      customerRepresentative: { id: 568, nodeId: 'cGVyc29uLzU2OA', name: 'Tom Waters', disabled: false, sourceId: '87123', account: { id: 'wdc', name: 'Widget Data Center' } },
      webhook: { event: 'app_instance.create', delivery: 'install-1', person: { id: 6, nodeId: 'dGVzdC5ob3N0L1BlcnNvbi82', name: 'Howard Tanner' } },
    });
    expect(entry.token).toEqual({ oauthApplicationNodeId: 'app-wdc', clientId: 'id-wdc', clientSecret: 'secret-wdc' });
    const job = await runtime.app.runtime.store.getJob((result.body.jobs as string[])[0]!);
    expect(job?.label).toBe('wdc');
  });

  it('dispatches an update to every matching runbook and applies discard', async () => {
    const result = await deliver(`${runtime.url}/xurrent/installations`, await provider.sign(install('app_instance.update')), {
      'x-xurrent-delivery': 'update-1',
      'x-xurrent-delivery-origin': 'update-0',
    });
    expect(result.body.jobs).toHaveLength(1);
    expect(result.body.discarded).toEqual([{ runbook: 'suspendedOnly', reason: 'instance is not suspended' }]);
    const entry = await waitFor(() => seen.find((item) => item.runbook === 'anyUpdate'));
    expect((entry.trigger as { webhook: unknown }).webhook).toMatchObject({ delivery: 'update-1', deliveryOrigin: 'update-0' });
    const job = await runtime.app.runtime.store.getJob((result.body.jobs as string[])[0]!);
    expect(job?.label).toBe(`${APP}@wdc`);
  });

  it('answers 200 with a note when no runbook matches', async () => {
    // A removal purges the customer's secrets, so it names a customer that the later tests do not use.
    const result = await deliver(`${runtime.url}/xurrent/installations`, await provider.sign(install('app_instance.delete', { customer_account_id: 'acme' })));
    expect(result.status).toBe(200);
    expect(result.body.jobs).toEqual([]);
    expect(result.body.note).toBe(`no installationChanged runbook for app_instance.delete and app ${APP}`);
  });

  it('verifies an automation webhook with the customer policy', async () => {
    const data = webhookData('automation_rule', { text: 'Printer on fire', app_offering: { reference: APP }, customer_account_id: 'wdc' }, 'wdc');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=wdc`, await wdcPolicy.sign(data));
    expect(result.status).toBe(200);
    const entry = await waitFor(() => seen.find((item) => item.runbook === 'note'));
    expect(entry.trigger).toMatchObject({ customerAccountId: 'wdc', appReference: APP, payload: { text: 'Printer on fire' } });
    expect((entry.trigger as { payload: Record<string, unknown> }).payload).not.toHaveProperty('customer_account_id');
  });

  it('rejects one customer policy vouching for another account', async () => {
    const data = webhookData('automation_rule', { text: 'spoof' }, 'widget');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=wdc`, await widgetPolicy.sign(data));
    expect(result.status).toBe(401);
  });

  it('rejects a token from the right key but another issuer', async () => {
    const forged = await createSigner('RS256', 'https://widget.xurrent.com');
    const data = webhookData('automation_rule', { text: 'x' }, 'wdc');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=widget`, await forged.sign(data));
    expect(result.status).toBe(401);
    expect(result.body.error).toMatch(/^XAC_JWT_/);
  });

  it('names customer and app when no customer policy is stored', async () => {
    const data = webhookData('automation_rule', { text: 'x' }, 'acme');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=acme`, await wdcPolicy.sign(data));
    expect(result.status).toBe(401);
    expect(result.body.error).toBe('XAC_CUSTOMER_POLICY_MISSING');
    expect(result.body.message).toContain(`no webhook policy stored for customer acme and app ${APP}; has the Secrets Changed runbook received it?`);
  });

  it('requires the customer_account_id query parameter', async () => {
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}`, 'x.y.z');
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('XAC_CUSTOMER_ACCOUNT_MISSING');
  });

  it('rejects a payload that does not match the schema', async () => {
    const data = webhookData('automation_rule', { text: 42 }, 'wdc');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=wdc`, await wdcPolicy.sign(data));
    expect(result.status).toBe(422);
    expect(result.body.message).toContain('payload.text');
  });

  it('rejects an automation delivery signed by the provider policy', async () => {
    const data = webhookData('automation_rule', { text: 'x' }, 'wdc');
    const result = await deliver(`${runtime.url}/xurrent/automation/${APP}?customer_account_id=wdc`, await provider.sign(data));
    expect(result.status).toBe(401);
  });
});
