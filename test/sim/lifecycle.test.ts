import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { DeliveryAttempt, RunningSimulator } from '../../src/sim/index.js';
import { clientCredentialsToken, graphql, startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

let sim: RunningSimulator;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ retrySpeedFactor: 0.0001, rateLimits: { burstRequests: 1000 } });
  receiver = await startReceiver();
  const policy = await sim.control.createWebhookPolicy({ jwtAlg: 'es256' });
  for (const event of ['app_instance.create', 'app_instance.update', 'app_instance.delete', 'app_instance.secrets-update']) {
    await sim.control.createWebhook({ event, uri: `${receiver.url}/provider`, webhookPolicyId: policy.id, verified: true });
  }
  await sim.control.createOffering({
    reference: 'notes',
    name: 'Note Dispatcher',
    webhookUriTemplate: `${receiver.url}/app?customer_account_id={account}`,
    policyJwtAlg: 'rs256',
    policyJwtAudience: 'notes-app',
    scopes: [
      { grantType: 'client_credentials', actions: ['request:Read', 'webhook:Read'] },
      { grantType: 'authorization_code', actions: ['request:Read'] },
    ],
    automationRules: [{ name: 'Note added', expressions: [{ name: 'text', value: 'note.text' }] }],
    published: true,
  });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

function payloadOf(attempt: DeliveryAttempt): Record<string, unknown> {
  return attempt.data.payload as Record<string, unknown>;
}

/** Waits until all the calls have a recorded first attempt, and returns those in call order. */
async function firstAttempts(callIds: number[]): Promise<DeliveryAttempt[]> {
  return Promise.all(callIds.map((callId) => sim.control.waitForDelivery({ callId, attempt: 1 })));
}

describe('install', () => {
  it('sends separate deliveries in the default order', async () => {
    const result = await sim.control.install({
      customer: 'acme',
      offeringReference: 'notes',
      customFields: { channel: '#ops' },
      secrets: { api_token: 's3cret' },
    });

    const attempts = await firstAttempts(result.callIds);

    expect(attempts.map((attempt) => attempt.event)).toEqual([
      'app_instance.create',
      'app_instance.secrets-update',
      'app_instance.secrets-update',
      'app_instance.secrets-update',
      'app_instance.secrets-update',
    ]);
    expect(attempts.slice(1).map((attempt) => Object.keys(payloadOf(attempt)).filter((key) => !['audit_line_id', 'audit_line_nodeID', 'app_offering', 'customer_account_id'].includes(key)))).toEqual([
      ['application'],
      ['authorization_application'],
      ['policy'],
      ['secrets'],
    ]);
    expect([...attempts].sort((a, b) => a.startedAt - b.startedAt).map((attempt) => attempt.callId)).toEqual(result.callIds);
  });

  it('follows the chosen order', async () => {
    const result = await sim.control.install({
      customer: 'globex',
      offeringReference: 'notes',
      secrets: { api_token: 'x' },
      order: ['secrets', 'create', 'policy'],
    });

    const attempts = await firstAttempts(result.callIds);
    const received = receiver.requests
      .filter((request) => (request.data.payload as Record<string, unknown> | undefined)?.customer_account_id === 'globex')
      .filter((request) => request.url === '/provider');

    expect(attempts.map((attempt) => Object.keys(payloadOf(attempt)).find((key) => ['secrets', 'policy', 'application', 'authorization_application'].includes(key)) ?? attempt.event)).toEqual([
      'secrets',
      'app_instance.create',
      'policy',
      'application',
      'authorization_application',
    ]);
    expect(received.map((request) => request.headers['x-xurrent-delivery'])).toEqual(attempts.map((attempt) => attempt.deliveryId));
  });

  it('sends the create payload', async () => {
    const instance = await sim.control.appInstance({ customer: 'acme', offeringReference: 'notes' });
    const create = await sim.control.waitForDelivery({ event: 'app_instance.create', customerAccountId: 'acme' });

    expect(payloadOf(create)).toEqual({
      app_offering: { reference: 'notes', id: instance.appOfferingId, nodeID: expect.any(String), updated: false },
      customer_account_id: 'acme',
      disabled: false,
      enabled_by_customer: true,
      suspended: false,
      customer_representative: {
        id: expect.any(Number),
        disabled: false,
        name: 'Tom Waters',
        account: { id: 'acme', name: 'Acme' },
        sourceID: null,
        nodeID: expect.any(String),
      },
    });
    expect(create.data.object_nodeID).toBe(instance.nodeId);
    expect(create.data.account).toBe(sim.accountUrl('provider'));
  });

  it('sends working customer credentials', async () => {
    const attempts = await sim.control.deliveries({ event: 'app_instance.secrets-update', customerAccountId: 'acme' });
    const application = attempts.map(payloadOf).find((payload) => payload.application)?.application as {
      client_id: string;
      client_secret: string;
    };

    const token = await clientCredentialsToken(sim, application.client_id, application.client_secret);
    const response = await graphql(sim, token, '{ webhooks(first: 5) { nodes { event uri } } }', undefined, 'acme');

    expect(response.body.data?.webhooks).toEqual({
      nodes: [{ event: 'automation_rule', uri: `${receiver.url}/app?customer_account_id=acme` }],
    });
  });

  it('sends the customer policy that signs the app webhook', async () => {
    const attempts = await sim.control.deliveries({ event: 'app_instance.secrets-update', customerAccountId: 'acme' });
    const policy = attempts.map(payloadOf).find((payload) => payload.policy)?.policy as Record<string, unknown>;
    const verify = await sim.control.waitForDelivery({ accountId: 'acme', event: 'webhook.verify' });

    const key = await importSPKI(policy.public_key as string, 'RS256');
    const { payload } = await jwtVerify((JSON.parse(verify.requestBody) as { jwt: string }).jwt, key, {
      algorithms: ['RS256'],
      issuer: sim.accountUrl('acme'),
      audience: 'notes-app',
    });

    expect(policy).toEqual({ nodeID: expect.any(String), audience: 'notes-app', algorithm: 'RS256', public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/) });
    expect((payload.data as Record<string, unknown>).account_id).toBe('acme');
  });

  it('filters provider webhooks by offering reference', async () => {
    const other = await startReceiver();
    await sim.control.createWebhook({ event: 'app_instance.create', uri: `${other.url}/only-other`, appOfferingReferences: ['other'], verified: true });

    const result = await sim.control.install({ customer: 'initech', offeringReference: 'notes' });
    await firstAttempts(result.callIds);
    await other.close();

    expect(other.requests).toHaveLength(0);
  });
});

describe('update', () => {
  it('sends update and only the changed secrets', async () => {
    const result = await sim.control.update({
      customer: 'acme',
      offeringReference: 'notes',
      customFields: { channel: '#dev' },
      secrets: { api_token: 's3cret', webhook_secret: 'new' },
    });

    const attempts = await firstAttempts(result.callIds);
    const instance = await sim.control.appInstance({ customer: 'acme', offeringReference: 'notes' });

    expect(attempts.map((attempt) => attempt.event)).toEqual(['app_instance.update', 'app_instance.secrets-update']);
    expect(payloadOf(attempts[1] as DeliveryAttempt).secrets).toEqual({ webhook_secret: 'new' });
    expect(instance.customFields).toEqual([{ id: 'channel', value: '#dev' }]);
  });

  it('suspends with a comment', async () => {
    const result = await sim.control.suspend({ customer: 'initech', offeringReference: 'notes', comment: 'Unpaid' });

    const [attempt] = await firstAttempts(result.callIds);
    const instance = await sim.control.appInstance({ customer: 'initech', offeringReference: 'notes' });

    expect(payloadOf(attempt as DeliveryAttempt).suspended).toBe(true);
    expect(instance.suspended).toBe(true);
    expect(instance.suspensionComment).toBe('Unpaid');
    expect(instance.oauthApplications.every((application) => application.disabled)).toBe(true);
  });
});

describe('fire', () => {
  it('posts automation_rule signed by the customer policy', async () => {
    await sim.control.waitForDelivery({ accountId: 'acme', event: 'webhook.verify', ok: true });
    const instance = await sim.control.appInstance({ customer: 'acme', offeringReference: 'notes' });
    const policy = await sim.control.webhookPolicy({ id: instance.webhookPolicyId ?? 0 });

    const result = await sim.control.fire({ customer: 'acme', offeringReference: 'notes', payload: { text: 'hello' } });
    const [attempt] = await firstAttempts(result.callIds);
    const jwt = (JSON.parse(attempt?.requestBody ?? '{}') as { jwt: string }).jwt;
    const { payload } = await jwtVerify(jwt, await importSPKI(policy.publicKeyPem, 'RS256'), {
      algorithms: ['RS256'],
      issuer: sim.accountUrl('acme'),
      audience: 'notes-app',
    });
    const data = payload.data as Record<string, unknown>;

    expect(attempt?.uri).toBe(`${receiver.url}/app?customer_account_id=acme`);
    expect(data.event).toBe('automation_rule');
    expect(data.account).toBe(sim.accountUrl('acme'));
    expect(data.payload).toEqual({
      text: 'hello',
      app_offering: { reference: 'notes', id: instance.appOfferingId, nodeID: expect.any(String) },
      customer_account_id: 'acme',
    });
    expect(attempt?.requestHeaders.Link).toMatch(/\/accounts\/acme\/automation_rules\/\d+>; rel="canonical"/);
  });

  it('rejects a suspended instance', async () => {
    await expect(sim.control.fire({ customer: 'initech', offeringReference: 'notes' })).rejects.toThrow(/disabled, suspended or not enabled/);
  });
});

describe('uninstall', () => {
  it('sends delete and removes the customer records', async () => {
    const before = await sim.control.appInstance({ customer: 'globex', offeringReference: 'notes' });

    const result = await sim.control.uninstall({ customer: 'globex', offeringReference: 'notes' });
    const [attempt] = await firstAttempts(result.callIds);
    const webhooks = await sim.control.webhooks({ account: 'globex' });
    const clientId = before.oauthApplications[0]?.clientId ?? '';
    const tokenResponse = await fetch(`${sim.oauthUrl}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: before.oauthApplications[0]?.clientSecret }),
    });

    expect(attempt?.event).toBe('app_instance.delete');
    expect(webhooks).toEqual([]);
    expect(tokenResponse.status).toBe(400);
    await expect(sim.control.appInstance({ customer: 'globex', offeringReference: 'notes' })).rejects.toThrow(/No app instance/);
  });
});
