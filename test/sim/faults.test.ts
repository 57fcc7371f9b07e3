import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { graphql, providerToken, startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

let sim: RunningSimulator;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ retrySpeedFactor: 0.0001, rateLimits: { burstRequests: 1000 } });
  receiver = await startReceiver();
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

beforeEach(async () => {
  await sim.control.clearFaults();
});

function tokenRequest(): Promise<Response> {
  return fetch(`${sim.oauthUrl}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: sim.providerApplication.clientId,
      client_secret: sim.providerApplication.clientSecret,
    }),
  });
}

describe('endpoint faults', () => {
  it('answers a 5xx for the next request only', async () => {
    await sim.control.addFault({ target: 'oauth', fault: { kind: 'status', status: 503 }, times: 1 });

    const first = await tokenRequest();
    const second = await tokenRequest();

    expect(first.status).toBe(503);
    expect(second.status).toBe(200);
  });

  it('answers 429 with Retry-After', async () => {
    await sim.control.addFault({ target: 'graphql', fault: { kind: 'rateLimit', retryAfterSeconds: 7 } });
    const token = await providerToken(sim);

    const response = await graphql(sim, token, '{ me { name } }');

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('adds latency', async () => {
    await sim.control.addFault({ target: 'oauth', fault: { kind: 'latency', ms: 150 } });

    const started = performance.now();
    const response = await tokenRequest();

    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection', async () => {
    await sim.control.addFault({ target: 'oauth', fault: { kind: 'drop' } });

    await expect(tokenRequest()).rejects.toThrow(/fetch failed/);
  });

  it('sends malformed JSON', async () => {
    const token = await providerToken(sim);
    await sim.control.addFault({ target: 'graphql', fault: { kind: 'malformedJson' }, times: 2 });

    const response = await graphql(sim, token, '{ me { name } }');

    expect(response.status).toBe(200);
    expect(() => JSON.parse(response.text) as unknown).toThrow(SyntaxError);
  });

  it('counts faulted token requests', async () => {
    const before = await sim.control.tokenRequestCount();
    await sim.control.addFault({ target: 'oauth', fault: { kind: 'status', status: 500 } });

    await tokenRequest();

    expect(await sim.control.tokenRequestCount()).toBe(before + 1);
  });

  it('rejects a non-5xx status fault', async () => {
    await expect(sim.control.addFault({ target: 'graphql', fault: { kind: 'status', status: 404 } })).rejects.toThrow(/use a 5xx status/);
  });
});

describe('delivery faults', () => {
  it('sends a delivery twice with the same id and JWT', async () => {
    const policy = await sim.control.createWebhookPolicy({ jwtAlg: 'es256' });
    const webhook = await sim.control.createWebhook({ event: 'ci.update', uri: `${receiver.url}/dup`, webhookPolicyId: policy.id, verified: true });
    await sim.control.addFault({ target: 'delivery', fault: { kind: 'duplicate' }, event: 'ci.update' });

    await sim.control.sendEvent({ event: 'ci.update' });
    await sim.control.waitForDelivery({ webhookId: webhook.id, event: 'ci.update' });
    const copy = await sim.control.waitForDelivery((attempt) => attempt.webhookId === webhook.id && attempt.duplicate);
    const received = receiver.requests.filter((request) => request.url === '/dup');

    expect(received).toHaveLength(2);
    expect(received[0]?.headers['x-xurrent-delivery']).toBe(received[1]?.headers['x-xurrent-delivery']);
    expect(received[0]?.body).toBe(received[1]?.body);
    expect(copy.attempt).toBe(1);
    expect(decodeJwt((JSON.parse(received[0]?.body ?? '{}') as { jwt: string }).jwt).jti).toMatch(/^[0-9a-f]{64}$/);
  });

  it('holds a delivery back behind the next one', async () => {
    const webhook = await sim.control.createWebhook({ event: 'team.update', uri: `${receiver.url}/order`, verified: true });
    await sim.control.addFault({ target: 'delivery', fault: { kind: 'outOfOrder' }, webhookId: webhook.id });

    const first = await sim.control.sendEvent({ event: 'team.update', payload: { n: 1 } });
    const second = await sim.control.sendEvent({ event: 'team.update', payload: { n: 2 } });
    await sim.control.waitForDelivery({ callId: first.callIds[0] });
    await sim.control.waitForDelivery({ callId: second.callIds[0] });
    const received = receiver.requests.filter((request) => request.url === '/order');

    expect(received.map((request) => (request.data.payload as { n: number }).n)).toEqual([2, 1]);
    expect((await sim.control.deliveries({ callId: first.callIds[0] }))[0]?.heldBack).toBe(true);
  });

  it('releases a held delivery when nothing follows', async () => {
    const webhook = await sim.control.createWebhook({ event: 'sla.update', uri: `${receiver.url}/alone`, verified: true });
    await sim.control.addFault({ target: 'delivery', fault: { kind: 'outOfOrder' }, webhookId: webhook.id });

    const sent = await sim.control.sendEvent({ event: 'sla.update' });
    const attempt = await sim.control.waitForDelivery({ callId: sent.callIds[0] }, 3000);

    expect(attempt.heldBack).toBe(true);
    expect(attempt.ok).toBe(true);
  });
});
