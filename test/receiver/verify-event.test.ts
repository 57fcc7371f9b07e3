import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSolution, installationChanged } from '../../src/index.js';
import { createSigner, deliver, startRuntime, storeProviderPolicy, webhookData, type Signer, type TestRuntime } from '../support/harness.js';

describe('webhook.verify deliveries', () => {
  let account: FastifyInstance;
  let accountUrl: string;
  let runtime: TestRuntime;
  let signer: Signer;
  const calls: Array<{ url: string; authorization?: string }> = [];
  let callbackStatus = 200;

  beforeAll(async () => {
    // Stands in for the provider's Xurrent account, which serves the verification callback.
    account = Fastify();
    account.get('/webhooks/:id/verify', async (request, reply) => {
      calls.push({ url: request.url, authorization: request.headers.authorization });
      return reply.code(callbackStatus).send('');
    });
    accountUrl = await account.listen({ host: '127.0.0.1', port: 0 });
    runtime = await startRuntime(defineSolution({ runbooks: { any: installationChanged({ event: 'app_instance.create' }, () => {}) } }));
    signer = await createSigner('ES256', accountUrl);
    await storeProviderPolicy(runtime, signer);
  });

  afterAll(async () => {
    await runtime.close();
    await account.close();
  });

  function verifyEvent(callback: string) {
    return webhookData('webhook.verify', { callback });
  }

  it('calls the callback, then answers 200', async () => {
    callbackStatus = 200;
    const callback = `${accountUrl}/webhooks/7/verify?code=abcdefghijklmnopqrstuvwx&expires_at=1800000000`;
    const result = await deliver(`${runtime.url}/xurrent/installations`, await signer.sign(verifyEvent(callback)), { 'x-xurrent-delivery': 'verify-1' });
    expect(result.status).toBe(200);
    expect(result.body.message).toBe('Webhook verified');
    expect(calls.at(-1)).toEqual({ url: '/webhooks/7/verify?code=abcdefghijklmnopqrstuvwx&expires_at=1800000000', authorization: undefined });
    expect((await runtime.app.runtime.store.getDelivery('verify-1'))?.event).toBe('webhook.verify');
  });

  it('answers 502 when the callback fails, and the retry succeeds', async () => {
    callbackStatus = 404;
    const callback = `${accountUrl}/webhooks/8/verify?code=abcdefghijklmnopqrstuvwx&expires_at=1800000000`;
    const failed = await deliver(`${runtime.url}/xurrent/secrets`, await signer.sign(verifyEvent(callback)), { 'x-xurrent-delivery': 'verify-2' });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toBe('XAC_VERIFY_CALLBACK_FAILED');
    expect(String(failed.body.message)).toContain('404');
    expect(String(failed.body.message)).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(await runtime.app.runtime.store.getDelivery('verify-2')).toBeUndefined();

    callbackStatus = 200;
    const retried = await deliver(`${runtime.url}/xurrent/secrets`, await signer.sign(verifyEvent(callback)), {
      'x-xurrent-delivery': 'verify-3',
      'x-xurrent-delivery-origin': 'verify-2',
    });
    expect(retried.status).toBe(200);
    expect(retried.body.duplicate).toBe(false);
  });

  it('does not call a callback on another host', async () => {
    const before = calls.length;
    const result = await deliver(
      `${runtime.url}/xurrent/installations`,
      await signer.sign(verifyEvent('http://127.0.0.2:9/webhooks/9/verify?code=x')),
    );
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('XAC_VERIFY_CALLBACK_HOST_MISMATCH');
    expect(calls.length).toBe(before);
  });
});
