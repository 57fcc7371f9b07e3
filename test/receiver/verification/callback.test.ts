import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { answerVerifyCallback } from '../../../src/receiver/verification/callback.js';
import { expectCode } from './helpers.js';

const CODE = 'FThErZe2Rr8wVBns-7lalATP';

let server: FastifyInstance;
let origin: string;
let requests: Array<{ url: string; headers: IncomingHttpHeaders }>;

/** Fetch that records each call before passing it to the real fetch. */
const fetchCalls: string[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  fetchCalls.push(String(input));
  return fetch(input, init);
};

beforeAll(async () => {
  // Closes sockets on shutdown even while the slow route still runs after the client gave up.
  server = Fastify({ logger: false, forceCloseConnections: true });
  server.addHook('onRequest', async (request) => {
    requests.push({ url: request.url, headers: request.headers });
  });
  server.get('/webhooks/1/verify', async () => 'verified');
  server.get('/webhooks/2/verify', async (_request, reply) => reply.code(404).send('Not Found'));
  server.get('/webhooks/3/verify', async (_request, reply) => reply.redirect('/webhooks/1/verify', 302));
  server.get('/webhooks/4/verify', async (_request, reply) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return reply.send('late');
  });
  origin = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  requests = [];
  fetchCalls.length = 0;
});

describe('answerVerifyCallback', () => {
  it('returns ok on HTTP 200', async () => {
    const result = await answerVerifyCallback(`${origin}/webhooks/1/verify?code=${CODE}&expires_at=1614686831`, origin);

    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe(`/webhooks/1/verify?code=${CODE}&expires_at=1614686831`);
  });

  it('sends no credentials', async () => {
    await answerVerifyCallback(`${origin}/webhooks/1/verify?code=${CODE}`, origin);

    const headers = requests[0]!.headers;
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers['user-agent']).toBe('xurrent-app-connector');
  });

  it('uses the fetch option', async () => {
    await answerVerifyCallback(`${origin}/webhooks/1/verify?code=${CODE}`, origin, { fetch: recordingFetch });
    expect(fetchCalls).toEqual([`${origin}/webhooks/1/verify?code=${CODE}`]);
  });

  it('fails on HTTP 404', async () => {
    const error = await expectCode(
      () => answerVerifyCallback(`${origin}/webhooks/2/verify?code=${CODE}`, origin),
      'XAC_VERIFY_CALLBACK_FAILED',
    );
    expect(error.status).toBe(502);
    expect(error.message).toContain(`webhook.verify callback ${origin}/webhooks/2/verify returned HTTP 404, expected 200.`);
    expect(error.message).not.toContain(CODE);
  });

  it('does not follow a redirect', async () => {
    const error = await expectCode(
      () => answerVerifyCallback(`${origin}/webhooks/3/verify?code=${CODE}`, origin),
      'XAC_VERIFY_CALLBACK_FAILED',
    );
    expect(error.message).toContain('returned HTTP 302');
    expect(requests.map((request) => request.url)).toEqual([`/webhooks/3/verify?code=${CODE}`]);
  });

  it('times out', async () => {
    const error = await expectCode(
      () => answerVerifyCallback(`${origin}/webhooks/4/verify?code=${CODE}`, origin, { timeoutMs: 100 }),
      'XAC_VERIFY_CALLBACK_FAILED',
    );
    expect(error.message).toContain('timed out after 100 ms');
    expect(error.message).not.toContain(CODE);
  });

  it('reports a refused connection', async () => {
    const closed = Fastify({ logger: false });
    const closedOrigin = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();

    const error = await expectCode(
      () => answerVerifyCallback(`${closedOrigin}/webhooks/1/verify?code=${CODE}`, closedOrigin),
      'XAC_VERIFY_CALLBACK_FAILED',
    );
    expect(error.message).toContain('request failed (ECONNREFUSED)');
  });

  it('rejects another port without request', async () => {
    const port = Number(new URL(origin).port);
    const otherOrigin = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;

    const error = await expectCode(
      () => answerVerifyCallback(`${otherOrigin}/webhooks/1/verify?code=${CODE}`, origin, { fetch: recordingFetch }),
      'XAC_VERIFY_CALLBACK_HOST_MISMATCH',
    );
    expect(error.status).toBe(400);
    expect(error.message).not.toContain(CODE);
    expect(fetchCalls).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('rejects another scheme without request', async () => {
    const httpsCallback = `${origin.replace('http:', 'https:')}/webhooks/1/verify?code=${CODE}`;

    await expectCode(
      () => answerVerifyCallback(httpsCallback, origin, { fetch: recordingFetch }),
      'XAC_VERIFY_CALLBACK_HOST_MISMATCH',
    );
    expect(fetchCalls).toEqual([]);
  });

  it('rejects another host name without request', async () => {
    await expectCode(
      () => answerVerifyCallback(`${origin}/webhooks/1/verify?code=${CODE}`, 'https://wdc.xurrent.com', { fetch: recordingFetch }),
      'XAC_VERIFY_CALLBACK_HOST_MISMATCH',
    );
    expect(fetchCalls).toEqual([]);
  });

  it('accepts an issuer with a path', async () => {
    const result = await answerVerifyCallback(`${origin}/webhooks/1/verify?code=${CODE}`, `${origin}/accounts/wdc`);
    expect(result).toEqual({ ok: true });
  });

  it('rejects a callback with credentials', async () => {
    const withCredentials = origin.replace('http://', 'http://user:secret@');
    await expectCode(
      () => answerVerifyCallback(`${withCredentials}/webhooks/1/verify?code=${CODE}`, origin, { fetch: recordingFetch }),
      'XAC_VERIFY_CALLBACK_URL_INVALID',
    );
    expect(fetchCalls).toEqual([]);
  });

  it('rejects a callback that is no URL', async () => {
    await expectCode(() => answerVerifyCallback('/webhooks/1/verify', origin), 'XAC_VERIFY_CALLBACK_URL_INVALID');
  });
});
