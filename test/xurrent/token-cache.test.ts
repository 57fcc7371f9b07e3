import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ClientCredentialsTokenSource,
  InMemoryTokenPersistence,
  XurrentCredentialsError,
  XurrentHttpError,
  XurrentNetworkError,
  XurrentRateLimitedError,
  XurrentTokenResponseError,
  tokenCacheKey,
} from '../../src/xurrent/index.js';
import type { ClientCredentialsTokenSourceOptions } from '../../src/xurrent/index.js';
import { FakeXurrent, fixtureResponse } from './fake-xurrent.js';
import { rejectionOf } from './helpers.js';

const SECRET = 'provider-client-secret';

let xurrent: FakeXurrent;
let clock: number;

beforeEach(async () => {
  xurrent = await FakeXurrent.start();
  clock = Date.UTC(2026, 0, 1);
});

afterEach(async () => {
  await xurrent.close();
});

function tokenSource(options: Partial<ClientCredentialsTokenSourceOptions> = {}): ClientCredentialsTokenSource {
  return new ClientCredentialsTokenSource({
    tokenUrl: xurrent.tokenUrl,
    clientId: 'provider-client',
    clientSecret: SECRET,
    now: () => clock,
    ...options,
  });
}

describe('ClientCredentialsTokenSource', () => {
  it('posts the client credentials form', async () => {
    xurrent.respond('token', fixtureResponse('token.bearer-expires-in.ipaas-spec'));

    const token = await tokenSource().getToken();

    expect(token).toBe('am9objpzZWNyZXQ=');
    const [request] = xurrent.requests.token;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toEqual({ grant_type: 'client_credentials', client_id: 'provider-client', client_secret: SECRET });
  });

  it('reuses a cached token', async () => {
    const source = tokenSource();

    const first = await source.getToken();
    clock += 3600_000 - 61_000;
    const second = await source.getToken();

    expect(second).toBe(first);
    expect(xurrent.requests.token).toHaveLength(1);
  });

  it('refreshes within the margin', async () => {
    const source = tokenSource();

    await source.getToken();
    clock += 3600_000 - 60_000;
    const second = await source.getToken();

    expect(second).toBe('token-2');
    expect(xurrent.requests.token).toHaveLength(2);
  });

  it('applies a custom margin', async () => {
    const source = tokenSource({ marginSeconds: 300 });

    await source.getToken();
    clock += 3600_000 - 300_000;
    await source.getToken();

    expect(xurrent.requests.token).toHaveLength(2);
  });

  it('defaults expires_in to one hour', async () => {
    xurrent.respond('token', fixtureResponse('token.bearer-no-expiry.ipaas-spec'));
    const source = tokenSource();

    expect(await source.getToken()).toBe('abc');
    clock += 3600_000 - 61_000;
    expect(await source.getToken()).toBe('abc');
    clock += 1_000;
    expect(await source.getToken()).toBe('token-1');
  });

  it('halves the margin for short tokens', async () => {
    xurrent.respond('token', { body: { access_token: 'short', token_type: 'Bearer', expires_in: 60 } });
    const source = tokenSource();

    expect(await source.getToken()).toBe('short');
    clock += 29_000;
    expect(await source.getToken()).toBe('short');
    clock += 1_000;
    expect(await source.getToken()).toBe('token-1');
  });

  it('shares one request among 20 callers', async () => {
    const source = tokenSource();

    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));

    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(xurrent.requests.token).toHaveLength(1);
  });

  it('shares one request between two processes', async () => {
    const persistence = new InMemoryTokenPersistence();
    const processA = tokenSource({ persistence });
    const processB = tokenSource({ persistence });

    const tokens = await Promise.all([processA.getToken(), processB.getToken(), processA.getToken()]);

    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(xurrent.requests.token).toHaveLength(1);
  });

  it('stores the token under a key without the secret', async () => {
    const persistence = new InMemoryTokenPersistence();
    const source = tokenSource({ persistence });

    await source.getToken();

    const key = tokenCacheKey(xurrent.tokenUrl, 'provider-client');
    expect(source.cacheKey).toBe(key);
    expect(key).not.toContain(SECRET);
    expect(await persistence.read(key)).toEqual({
      accessToken: 'token-1',
      issuedAt: clock,
      expiresAt: clock + 3600_000,
    });
  });

  it('separates keys per client id', () => {
    expect(tokenCacheKey(xurrent.tokenUrl, 'a')).not.toBe(tokenCacheKey(xurrent.tokenUrl, 'b'));
  });

  it('refreshes after invalidate', async () => {
    const source = tokenSource();

    await source.getToken();
    source.invalidate();

    expect(await source.getToken()).toBe('token-2');
  });

  it('skips a persisted token another process rejected', async () => {
    const persistence = new InMemoryTokenPersistence();
    const processA = tokenSource({ persistence });
    const processB = tokenSource({ persistence });
    await processA.getToken();
    await processB.getToken();

    processA.invalidate('token-1');
    const fromA = await processA.getToken();
    processB.invalidate('token-1');
    const fromB = await processB.getToken();

    expect(fromA).toBe('token-2');
    expect(fromB).toBe('token-2');
    expect(xurrent.requests.token).toHaveLength(2);
  });

  it('rejects invalid_client without retry', async () => {
    xurrent.setDefault('token', { status: 401, body: { error: 'invalid_client' } });
    const source = tokenSource();

    const error = await rejectionOf(source.getToken());

    expect(error).toBeInstanceOf(XurrentCredentialsError);
    expect(error.message).toBe('provider credentials rejected by Xurrent: invalid_client');
    expect((error as XurrentCredentialsError).retryable).toBe(false);
    expect(xurrent.requests.token).toHaveLength(1);
  });

  it('labels customer credentials', async () => {
    xurrent.respond('token', fixtureResponse('token.error-invalid-grant.ipaas-spec'));
    const source = tokenSource({ credentialsLabel: 'customer wdc/app phone' });

    const error = await rejectionOf(source.getToken());

    expect(error.message).toBe(
      'customer wdc/app phone credentials rejected by Xurrent: invalid_grant (Invalid client credentials)',
    );
  });

  it('treats 403 without body as rejection', async () => {
    xurrent.respond('token', { status: 403, body: 'Forbidden' });

    const error = await rejectionOf(tokenSource().getToken());

    expect(error).toBeInstanceOf(XurrentCredentialsError);
    expect(error.message).toBe('provider credentials rejected by Xurrent: HTTP 403');
  });

  it('reports a non-OAuth 400 as HTTP error', async () => {
    xurrent.respond('token', fixtureResponse('token.error-non-oauth-400.ipaas-spec'));

    const error = await rejectionOf(tokenSource().getToken());

    expect(error).toBeInstanceOf(XurrentHttpError);
    expect(error.message).toBe('provider token request failed with HTTP 400: {"message":"bad request"}');
  });

  it('does not cache a failure', async () => {
    xurrent.respond('token', { status: 500, body: 'boom' });
    const source = tokenSource();

    const error = await rejectionOf(source.getToken());

    expect(error).toBeInstanceOf(XurrentHttpError);
    expect((error as XurrentHttpError).retryable).toBe(true);
    expect(await source.getToken()).toBe('token-1');
  });

  it('redacts an echoed secret', async () => {
    xurrent.respond('token', (request) => ({ status: 500, body: `cannot handle ${request.rawBody}` }));

    const error = await rejectionOf(tokenSource().getToken());

    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain('client_secret=[REDACTED]');
  });

  it('rejects token_type mac', async () => {
    xurrent.respond('token', fixtureResponse('token.unsupported-token-type-mac.ipaas-spec'));

    const error = await rejectionOf(tokenSource().getToken());

    expect(error).toBeInstanceOf(XurrentTokenResponseError);
    expect(error.message).toBe(
      `invalid token response from ${xurrent.tokenUrl}: unsupported token_type "mac"; expected "bearer"`,
    );
  });

  it('rejects a missing access_token', async () => {
    xurrent.respond('token', fixtureResponse('token.missing-access-token.ipaas-spec'));

    const error = await rejectionOf(tokenSource().getToken());

    expect(error).toBeInstanceOf(XurrentTokenResponseError);
    expect(error.message).toBe(`invalid token response from ${xurrent.tokenUrl}: no access_token found`);
  });

  it('accepts a missing token_type', async () => {
    xurrent.respond('token', { body: { access_token: 'untyped' } });

    expect(await tokenSource().getToken()).toBe('untyped');
  });

  it('rejects a negative expires_in', async () => {
    xurrent.respond('token', { body: { access_token: 'x', token_type: 'bearer', expires_in: -5 } });

    const error = await rejectionOf(tokenSource().getToken());

    expect(error.message).toBe(
      `invalid token response from ${xurrent.tokenUrl}: expires_in must be a positive number of seconds, got -5`,
    );
  });

  it('rejects a body that is not JSON', async () => {
    xurrent.respond('token', { body: '<html>login</html>' });

    const error = await rejectionOf(tokenSource().getToken());

    expect(error.message).toBe(`invalid token response from ${xurrent.tokenUrl}: the body is not a JSON object`);
  });

  it('reports 429 with Retry-After', async () => {
    xurrent.respond('token', { status: 429, body: 'Wait 10 seconds', headers: { 'retry-after': '10' } });

    const error = await rejectionOf(tokenSource().getToken());

    expect(error).toBeInstanceOf(XurrentRateLimitedError);
    expect((error as XurrentRateLimitedError).retryAfterSeconds).toBe(10);
  });

  it('reports a refused connection', async () => {
    const url = xurrent.tokenUrl;
    await xurrent.close();

    const error = await rejectionOf(tokenSource({ tokenUrl: url }).getToken());

    expect(error).toBeInstanceOf(XurrentNetworkError);
    expect(error.message).toMatch(/^provider token request failed: no response from http:\/\/127\.0\.0\.1:\d+\/oauth\/token: fetch failed/);
    xurrent = await FakeXurrent.start();
  });

  it('rejects a negative margin', () => {
    expect(() => tokenSource({ marginSeconds: -1 })).toThrow('marginSeconds must be a number of seconds >= 0, got -1');
  });
});

describe('InMemoryTokenPersistence', () => {
  it('runs locked sections one at a time', async () => {
    const persistence = new InMemoryTokenPersistence();
    const events: string[] = [];
    const section = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name} end`);
    };

    await Promise.all([persistence.withLock('k', section('a')), persistence.withLock('k', section('b'))]);

    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
  });

  it('releases the lock after a failure', async () => {
    const persistence = new InMemoryTokenPersistence();

    await expect(persistence.withLock('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    expect(await persistence.withLock('k', async () => 'next')).toBe('next');
  });
});
