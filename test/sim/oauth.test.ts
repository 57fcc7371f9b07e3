import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { graphql, manualClock } from './helpers.js';

const clock = manualClock();
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ clock, tokenLifetimeSeconds: 60 });
});

afterAll(async () => {
  await sim.close();
});

async function postToken(body: Record<string, string>, format: 'form' | 'json' = 'form') {
  const response = await fetch(`${sim.oauthUrl}/token`, {
    method: 'POST',
    headers: { 'Content-Type': format === 'form' ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: format === 'form' ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function providerCredentials() {
  return { client_id: sim.providerApplication.clientId, client_secret: sim.providerApplication.clientSecret };
}

describe('client credentials grant', () => {
  it('issues a bearer token from a form body', async () => {
    const response = await postToken({ grant_type: 'client_credentials', ...providerCredentials() });

    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
    expect(response.body.expires_in).toBe(60);
    expect(typeof response.body.access_token).toBe('string');
    expect(response.body.refresh_token).toBeUndefined();
  });

  it('accepts a JSON body', async () => {
    const response = await postToken({ grant_type: 'client_credentials', ...providerCredentials() }, 'json');

    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
  });

  it('rejects a wrong secret as invalid_grant', async () => {
    const response = await postToken({
      grant_type: 'client_credentials',
      client_id: sim.providerApplication.clientId,
      client_secret: 'wrong',
    });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid client credentials' });
  });

  it('rejects an unknown grant type', async () => {
    const response = await postToken({ grant_type: 'password', ...providerCredentials() });

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unsupported_grant_type');
  });

  it('rejects a missing client secret as invalid_request', async () => {
    const response = await postToken({ grant_type: 'client_credentials', client_id: sim.providerApplication.clientId });

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('counts token requests per client', async () => {
    const before = await sim.control.tokenRequestCount({ clientId: sim.providerApplication.clientId });

    await postToken({ grant_type: 'client_credentials', ...providerCredentials() });

    expect(await sim.control.tokenRequestCount({ clientId: sim.providerApplication.clientId })).toBe(before + 1);
  });
});

describe('token expiry', () => {
  it('rejects an expired token on GraphQL', async () => {
    const { body } = await postToken({ grant_type: 'client_credentials', ...providerCredentials() });
    const token = body.access_token as string;
    const fresh = await graphql(sim, token, '{ me { name } }');

    clock.advance(61_000);
    const expired = await graphql(sim, token, '{ me { name } }');

    expect(fresh.status).toBe(200);
    expect(expired.status).toBe(401);
  });

  it('applies a lifetime set through control', async () => {
    await sim.control.setTokenLifetime({ seconds: 5 });
    const { body } = await postToken({ grant_type: 'client_credentials', ...providerCredentials() });
    await sim.control.setTokenLifetime({ seconds: 60 });

    expect(body.expires_in).toBe(5);
  });
});

describe('authorization code grant', () => {
  async function authCodeApplication() {
    return sim.control.createOauthApplication({
      account: sim.providerAccountId,
      grantType: 'authorization_code',
      scopes: ['request:R'],
      redirectUris: ['http://127.0.0.1:9/callback'],
    });
  }

  async function authorize(clientId: string, redirectUri = 'http://127.0.0.1:9/callback') {
    const url = new URL(`${sim.oauthUrl}/authorize`);
    url.search = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, state: 'xyz' }).toString();
    return fetch(url, { redirect: 'manual' });
  }

  it('redirects with a code and the state', async () => {
    const application = await authCodeApplication();

    const response = await authorize(application.clientId);
    const location = new URL(response.headers.get('location') ?? '');

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:9/callback');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('rejects an unregistered redirect uri', async () => {
    const application = await authCodeApplication();

    const response = await authorize(application.clientId, 'http://127.0.0.1:9/other');

    expect(response.status).toBe(400);
  });

  it('rejects a relative redirect uri', async () => {
    const application = await sim.control.createOauthApplication({
      account: sim.providerAccountId,
      grantType: 'authorization_code',
      scopes: ['request:R'],
    });

    const response = await authorize(application.clientId, '/callback');
    const body = (await response.json()) as { error: string; error_description: string };

    expect(response.status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toBe("redirect_uri '/callback' is not an absolute URL.");
  });

  it('exchanges a code once and refreshes', async () => {
    const application = await authCodeApplication();
    const location = new URL((await authorize(application.clientId)).headers.get('location') ?? '');
    const exchange = {
      grant_type: 'authorization_code',
      client_id: application.clientId,
      client_secret: application.clientSecret,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code: location.searchParams.get('code') ?? '',
    };

    const first = await postToken(exchange);
    const reused = await postToken(exchange);
    const refreshed = await postToken({
      grant_type: 'refresh_token',
      client_id: application.clientId,
      client_secret: application.clientSecret,
      refresh_token: first.body.refresh_token as string,
    });

    expect(first.status).toBe(200);
    expect(typeof first.body.refresh_token).toBe('string');
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // Reusing the code revoked the refresh token issued from it.
    expect(refreshed.status).toBe(400);
  });

  it('rotates refresh tokens', async () => {
    const application = await authCodeApplication();
    const location = new URL((await authorize(application.clientId)).headers.get('location') ?? '');
    const credentials = { client_id: application.clientId, client_secret: application.clientSecret };
    const first = await postToken({
      grant_type: 'authorization_code',
      ...credentials,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code: location.searchParams.get('code') ?? '',
    });

    const refreshed = await postToken({ grant_type: 'refresh_token', ...credentials, refresh_token: first.body.refresh_token as string });
    const again = await postToken({ grant_type: 'refresh_token', ...credentials, refresh_token: first.body.refresh_token as string });

    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(again.status).toBe(400);
  });

  it('expires codes after 10 minutes', async () => {
    const application = await authCodeApplication();
    const location = new URL((await authorize(application.clientId)).headers.get('location') ?? '');

    clock.advance(10 * 60 * 1000 + 1);
    const response = await postToken({
      grant_type: 'authorization_code',
      client_id: application.clientId,
      client_secret: application.clientSecret,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code: location.searchParams.get('code') ?? '',
    });

    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_grant');
  });
});

describe('introspection', () => {
  async function introspect(token: string, account: string | undefined) {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (account !== undefined) headers['X-Xurrent-Account'] = account;
    const response = await fetch(`${sim.oauthUrl}/introspect`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('returns active and the scopes', async () => {
    const application = await sim.control.createOauthApplication({
      account: sim.providerAccountId,
      grantType: 'client_credentials',
      scopes: 'account-administration,cmdb',
    });
    const { body } = await postToken({
      grant_type: 'client_credentials',
      client_id: application.clientId,
      client_secret: application.clientSecret,
    });

    const response = await introspect(body.access_token as string, sim.providerAccountId);

    expect(response).toEqual({ status: 200, body: { active: true, scopes: ['account-administration', 'cmdb'] } });
  });

  it('rejects a bad token with 401', async () => {
    const response = await introspect('not-a-token', sim.providerAccountId);

    expect(response.status).toBe(401);
  });

  it('rejects a wrong account header with 400', async () => {
    const { body } = await postToken({ grant_type: 'client_credentials', ...providerCredentials() });

    const response = await introspect(body.access_token as string, 'someone-else');

    expect(response).toEqual({ status: 400, body: { message: 'Invalid x-xurrent-account header' } });
  });
});
