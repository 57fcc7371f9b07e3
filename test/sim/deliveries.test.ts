import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { graphql, providerToken, startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

let sim: RunningSimulator;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ retrySpeedFactor: 0.0001, rateLimits: { burstRequests: 1000 } });
  token = await providerToken(sim);
  receiver = await startReceiver();
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

async function createPolicy(jwtAlg: string, extra = ''): Promise<{ id: string; publicKeyPem: string; issuer: string }> {
  const response = await graphql(
    sim,
    token,
    `mutation { webhookPolicyCreate(input: { jwtAlg: ${jwtAlg} ${extra} }) { webhookPolicy { id publicKeyPem account { url } } errors { message } } }`,
  );
  const policy = (response.body.data?.webhookPolicyCreate as {
    webhookPolicy: { id: string; publicKeyPem: string; account: { url: string } };
  }).webhookPolicy;
  return { id: policy.id, publicKeyPem: policy.publicKeyPem, issuer: policy.account.url };
}

async function createWebhook(event: string, uri: string, policyId?: string): Promise<number> {
  const response = await graphql(
    sim,
    token,
    'mutation($event: WebhookEvent!, $uri: String!, $policyId: ID) { webhookCreate(input: { event: $event, uri: $uri, webhookPolicyId: $policyId }) { webhook { id } errors { message } } }',
    { event, uri, policyId },
  );
  const nodeId = (response.body.data?.webhookCreate as { webhook: { id: string } }).webhook.id;
  return Number(Buffer.from(nodeId, 'base64url').toString().split('/').pop());
}

describe('signing', () => {
  for (const alg of ['rs256', 'rs384', 'rs512', 'es256', 'es384', 'es512']) {
    it(`verifies ${alg} deliveries with jose`, async () => {
      const policy = await createPolicy(alg, 'jwtAudience: "integrations", jwtClaimExpiresIn: 10');
      const webhookId = await createWebhook('webhook.verify', `${receiver.url}/${alg}`, policy.id);

      const attempt = await sim.control.waitForDelivery({ webhookId, event: 'webhook.verify' });
      const jwt = (JSON.parse(attempt.requestBody) as { jwt: string }).jwt;
      const key = await importSPKI(policy.publicKeyPem, alg.toUpperCase());
      const { payload, protectedHeader } = await jwtVerify(jwt, key, {
        algorithms: [alg.toUpperCase()],
        issuer: sim.accountUrl('provider'),
        audience: 'integrations',
      });

      expect(policy.issuer).toBe(sim.accountUrl('provider'));
      expect(protectedHeader.alg).toBe(alg.toUpperCase());
      expect(protectedHeader.kid).toMatch(/^[0-9a-f-]{36}$/);
      expect(payload.sub).toBe(String(webhookId));
      expect(payload.jti).toMatch(/^[0-9a-f]{64}$/);
      expect(payload.nbf).toBe(payload.iat);
      expect(payload.exp).toBe((payload.iat ?? 0) + 600);
    });
  }

  it('omits aud and exp without audience and expiry', async () => {
    const policy = await createPolicy('es256');
    const webhookId = await createWebhook('webhook.verify', `${receiver.url}/plain-claims`, policy.id);

    const attempt = await sim.control.waitForDelivery({ webhookId });
    const claims = decodeJwt((JSON.parse(attempt.requestBody) as { jwt: string }).jwt);

    expect(Object.keys(claims).sort()).toEqual(['data', 'iat', 'iss', 'jti', 'nbf', 'sub']);
  });
});

describe('delivery format', () => {
  it('sends the data object and headers', async () => {
    const policy = await createPolicy('es256');
    const webhookId = await createWebhook('problem.update', `${receiver.url}/format`, policy.id);
    await sim.control.waitForDelivery({ webhookId, event: 'webhook.verify', ok: true });

    await sim.control.sendEvent({ event: 'problem.update', payload: { status: 'analyzed' } });
    const attempt = await sim.control.waitForDelivery({ webhookId, event: 'problem.update' });
    const claims = decodeJwt((JSON.parse(attempt.requestBody) as { jwt: string }).jwt);
    const received = receiver.requests.find((request) => request.headers['x-xurrent-delivery'] === attempt.deliveryId);

    expect(decodeProtectedHeader((JSON.parse(attempt.requestBody) as { jwt: string }).jwt).alg).toBe('ES256');
    expect(claims.data).toEqual({
      webhook_id: webhookId,
      webhook_nodeID: expect.any(String),
      account_id: 'provider',
      account: sim.accountUrl('provider'),
      name: 'problem.update',
      event: 'problem.update',
      object_id: expect.any(Number),
      object_nodeID: expect.any(String),
      person_id: expect.any(Number),
      person_nodeID: expect.any(String),
      person_name: 'Howard Tanner',
      payload: { status: 'analyzed' },
    });
    expect(received?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(received?.headers['user-agent']).toBe('xurrent/1.0 (https://developer.xurrent.com/v1/webhooks)');
    expect(received?.headers['x-xurrent-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(received?.headers['x-xurrent-delivery-origin']).toBeUndefined();
    expect(received?.headers.link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/accounts\/provider\/problems\/\d+>; rel="canonical", <http:\/\/127\.0\.0\.1:\d+\/v1\/problems\/\d+>; rel="resource"$/);
  });

  it('sends the plain data without a policy', async () => {
    const webhookId = await createWebhook('webhook.verify', `${receiver.url}/unsigned`);

    const attempt = await sim.control.waitForDelivery({ webhookId });
    const body = JSON.parse(attempt.requestBody) as Record<string, unknown>;

    expect(attempt.signed).toBe(false);
    expect(body.event).toBe('webhook.verify');
    expect(body.jwt).toBeUndefined();
  });
});

describe('webhook.verify', () => {
  it('holds events until the callback is called', async () => {
    const manual = await startReceiver({ autoVerify: false });
    const webhookId = await createWebhook('person.update', `${manual.url}/gated`);
    const verify = await sim.control.waitForDelivery({ webhookId, event: 'webhook.verify' });

    const before = await sim.control.sendEvent({ event: 'person.update' });
    const callback = (verify.data.payload as { callback: string }).callback;
    const callbackResponse = await fetch(callback);
    const after = await sim.control.sendEvent({ event: 'person.update' });
    await sim.control.waitForDelivery({ webhookId, event: 'person.update' });
    await manual.close();

    expect(callback).toMatch(new RegExp(`^${sim.accountUrl('provider')}/webhooks/${webhookId}/verify\\?code=[A-Za-z0-9]{24}&expires_at=\\d+$`));
    expect(before.callIds).toEqual([]);
    expect(callbackResponse.status).toBe(200);
    expect(after.callIds).toHaveLength(1);
  });

  it('verifies again when the uri changes', async () => {
    const webhookId = await createWebhook('person.create', `${receiver.url}/first`);
    await sim.control.waitForDelivery({ webhookId, event: 'webhook.verify', ok: true });
    const nodeId = Buffer.from(`${new URL(sim.url).host}/Webhook/${webhookId}`).toString('base64url');

    await graphql(sim, token, 'mutation($id: ID!, $uri: String!) { webhookUpdate(input: { id: $id, uri: $uri }) { webhook { id } } }', {
      id: nodeId,
      uri: `${receiver.url}/second`,
    });
    const second = await sim.control.waitForDelivery(
      (attempt) => attempt.webhookId === webhookId && attempt.uri === `${receiver.url}/second`,
    );

    expect(second.event).toBe('webhook.verify');
  });

  it('rejects a wrong code', async () => {
    const webhookId = await createWebhook('person.create', `${receiver.url}/wrong-code`);

    const response = await fetch(`${sim.accountUrl('provider')}/webhooks/${webhookId}/verify?code=wrong`);

    expect(response.status).toBe(404);
  });
});

describe('retries', () => {
  it('retries with fresh signatures and the origin header', async () => {
    const failing = await startReceiver({ status: (request) => (request.data.event === 'webhook.verify' ? 200 : 503) });
    const policy = await createPolicy('es256');
    const webhookId = await createWebhook('project.update', `${failing.url}/retry`, policy.id);
    await sim.control.waitForDelivery({ webhookId, ok: true });

    await sim.control.sendEvent({ event: 'project.update' });
    const third = await sim.control.waitForDelivery({ webhookId, event: 'project.update', attempt: 3 });
    const attempts = (await sim.control.deliveries({ webhookId, event: 'project.update' })).slice(0, 3);
    const jtis = attempts.map((attempt) => decodeJwt((JSON.parse(attempt.requestBody) as { jwt: string }).jwt).jti);
    await failing.close();

    expect(third.originDeliveryId).toBe(attempts[0]?.deliveryId);
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(attempts[0]?.requestHeaders['X-Xurrent-Delivery-Origin']).toBeUndefined();
    expect(attempts[1]?.requestHeaders['X-Xurrent-Delivery-Origin']).toBe(attempts[0]?.deliveryId);
    expect(new Set(attempts.map((attempt) => attempt.deliveryId)).size).toBe(3);
    expect(new Set(jtis).size).toBe(3);
    expect(attempts.map((attempt) => attempt.responseStatus)).toEqual([503, 503, 503]);
  });

  it('stops after 10 attempts', async () => {
    const failing = await startReceiver({ status: (request) => (request.data.event === 'webhook.verify' ? 200 : 500) });
    const webhookId = await createWebhook('release.update', `${failing.url}/ten`);
    await sim.control.waitForDelivery({ webhookId, ok: true });

    await sim.control.sendEvent({ event: 'release.update' });
    await sim.control.waitForDelivery({ webhookId, attempt: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const attempts = await sim.control.deliveries({ webhookId, event: 'release.update' });
    await failing.close();

    expect(attempts).toHaveLength(10);
  });

  it('disables the webhook after 20 consecutive failures', async () => {
    const failing = await startReceiver({ status: (request) => (request.data.event === 'webhook.verify' ? 200 : 500) });
    const webhookId = await createWebhook('risk.update', `${failing.url}/disable`);
    await sim.control.waitForDelivery({ webhookId, ok: true });

    await sim.control.sendEvent({ event: 'risk.update' });
    await sim.control.sendEvent({ event: 'risk.update' });
    await sim.control.sendEvent({ event: 'risk.update' });
    await sim.control.waitForDelivery({ webhookId, event: 'risk.update', attempt: 7 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const failures = await sim.control.deliveries({ webhookId, event: 'risk.update', ok: false });
    const webhook = (await sim.control.webhooks({ account: 'provider' })).find((candidate) => candidate.id === webhookId);
    await failing.close();

    expect(failures).toHaveLength(20);
    expect(webhook?.disabled).toBe(true);
    expect(webhook?.lastError).toBe('500');
  });

  it('refuses hosts other than loopback', async () => {
    const webhookId = await createWebhook('webhook.verify', 'https://example.com/hook');

    const attempt = await sim.control.waitForDelivery({ webhookId });

    expect(attempt.ok).toBe(false);
    expect(attempt.responseStatus).toBeNull();
    expect(attempt.error).toMatch(/only delivers to 127\.0\.0\.1/);
  });
});
