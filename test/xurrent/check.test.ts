import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  REQUIRED_PROVIDER_SCOPES,
  XurrentHttpError,
  XurrentRateLimitedError,
  compareScopes,
  formatScope,
  introspect,
  oauthApplicationFormLink,
  parseScope,
} from '../../src/xurrent/index.js';
import { FakeXurrent } from './fake-xurrent.js';

describe('parseScope', () => {
  it.each([
    ['request:RU', { model: 'request', actions: ['R', 'U'] }],
    ['request:UR', { model: 'request', actions: ['R', 'U'] }],
    ['request:Read', { model: 'request', actions: ['R'] }],
    ['ci:create', { model: 'ci', actions: ['C'] }],
    ['webhook:*', { model: 'webhook', actions: ['C', 'R', 'U', 'D'] }],
    [' app-instance : RU ', { model: 'app-instance', actions: ['R', 'U'] }],
  ])('parses %j', (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected);
  });

  it.each(['cmdb', 'account-administration', 'request:', ':R', 'request:RX', 'request:Readonly'])(
    'rejects %j',
    (scope) => {
      expect(parseScope(scope)).toBeUndefined();
    },
  );
});

describe('compareScopes', () => {
  it('finds nothing missing for the exact set', () => {
    expect(compareScopes(REQUIRED_PROVIDER_SCOPES)).toEqual({ missing: [] });
  });

  it('lists everything for no grants', () => {
    const { missing } = compareScopes([]);

    expect(missing.map(formatScope)).toEqual([...REQUIRED_PROVIDER_SCOPES]);
  });

  it('accepts wildcards', () => {
    const granted = REQUIRED_PROVIDER_SCOPES.map((scope) => `${scope.split(':')[0]}:*`);

    expect(compareScopes(granted)).toEqual({ missing: [] });
  });

  it('combines full names', () => {
    const result = compareScopes(['webhook:Create', 'webhook:Read', 'webhook:Update'], ['webhook:CRU']);

    expect(result).toEqual({ missing: [] });
  });

  it('reports missing letters', () => {
    const result = compareScopes(['webhook:R', 'app-offering-automation-rule:CRU'], ['webhook:CRU', 'app-offering-automation-rule:CRUD']);

    expect(result).toEqual({
      missing: [
        { model: 'webhook', actions: 'CU' },
        { model: 'app-offering-automation-rule', actions: 'D' },
      ],
    });
  });

  it('splits comma lists', () => {
    const result = compareScopes('request:RU,problem:RU', ['request:R', 'problem:U', 'change:R']);

    expect(result).toEqual({ missing: [{ model: 'change', actions: 'R' }] });
  });

  it('splits space lists', () => {
    expect(compareScopes(['account:R attachment:R'], ['account:R', 'attachment:R'])).toEqual({ missing: [] });
  });

  it('ignores unparsable grants', () => {
    const result = compareScopes(['cmdb', 'account:R'], ['account:R', 'service-instance:R']);

    expect(result).toEqual({ missing: [{ model: 'service-instance', actions: 'R' }] });
  });

  it('merges repeated requirements', () => {
    const result = compareScopes([], ['webhook:R', 'webhook:Create']);

    expect(result).toEqual({ missing: [{ model: 'webhook', actions: 'CR' }] });
  });

  it('rejects an invalid requirement', () => {
    expect(() => compareScopes([], ['webhook'])).toThrow(
      'invalid required scope "webhook"; use model:actions, for example "webhook:CRU"',
    );
  });
});

describe('introspect', () => {
  let xurrent: FakeXurrent;

  beforeEach(async () => {
    xurrent = await FakeXurrent.start();
  });

  afterEach(async () => {
    await xurrent.close();
  });

  it('returns active and scopes', async () => {
    xurrent.respond('introspect', { body: { active: true, scopes: ['account-administration', 'cmdb'] } });

    const result = await introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'wdc' });

    expect(result).toEqual({ active: true, scopes: ['account-administration', 'cmdb'] });
  });

  it('sends bearer and account headers', async () => {
    await introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'wdc' });

    const [request] = xurrent.requests.introspect;
    expect(request?.method).toBe('GET');
    expect(request?.headers.authorization).toBe('Bearer tok');
    expect(request?.headers['x-xurrent-account']).toBe('wdc');
  });

  it('reads an RFC 7662 scope string', async () => {
    xurrent.respond('introspect', { body: { active: true, scope: 'account:R webhook:CRU' } });

    const result = await introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'wdc' });

    expect(result.scopes).toEqual(['account:R', 'webhook:CRU']);
  });

  it('reports a rejected token as inactive', async () => {
    xurrent.respond('introspect', { status: 401, body: 'Unauthorized' });

    const result = await introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'wdc' });

    expect(result).toEqual({ active: false, scopes: [] });
  });

  it('raises on 429', async () => {
    xurrent.respond('introspect', { status: 429, body: 'Wait 5 seconds', headers: { 'retry-after': '5' } });

    const promise = introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'wdc' });

    await expect(promise).rejects.toThrow(XurrentRateLimitedError);
    await expect(promise).rejects.toMatchObject({ retryAfterSeconds: 5, status: 429 });
  });

  it('raises on a wrong account', async () => {
    xurrent.respond('introspect', { status: 400, body: { message: 'Invalid x-xurrent-account header' } });

    const promise = introspect({ introspectUrl: xurrent.introspectUrl, token: 'tok', account: 'nope' });

    await expect(promise).rejects.toThrow(XurrentHttpError);
    await expect(promise).rejects.toThrow(
      'token introspection failed with HTTP 400: {"message":"Invalid x-xurrent-account header"}',
    );
  });
});

describe('oauthApplicationFormLink', () => {
  it('builds the provider link', () => {
    const link = oauthApplicationFormLink('https://wdc.xurrent.com/', 'App connector');

    expect(link).toBe(
      'https://wdc.xurrent.com/oauth_applications/new?name=App%20connector&scopes=' +
        encodeURIComponent(REQUIRED_PROVIDER_SCOPES.join(',')) +
        '&grant_type=client_credentials',
    );
  });

  it('round-trips name and scopes', () => {
    const url = new URL(oauthApplicationFormLink('https://wdc.xurrent.com', 'A & B', ['request:R', 'problem:RU']));

    expect(url.pathname).toBe('/oauth_applications/new');
    expect(url.searchParams.get('name')).toBe('A & B');
    expect(url.searchParams.get('scopes')).toBe('request:R,problem:RU');
    expect(url.searchParams.get('grant_type')).toBe('client_credentials');
  });

  it('rejects a name over 128 characters', () => {
    expect(() => oauthApplicationFormLink('https://wdc.xurrent.com', 'x'.repeat(129))).toThrow(
      'OAuth application name must have 1 to 128 characters, got 129',
    );
  });
});
