import { describe, expect, it } from 'vitest';

import {
  InvalidEndpointError,
  XURRENT_REGIONS,
  accountUrl,
  customEndpoints,
  stageEndpoints,
} from '../../src/xurrent/index.js';
import type { XurrentRegion, XurrentStage } from '../../src/xurrent/index.js';

const STAGE_ROWS: [XurrentStage, XurrentRegion | undefined, boolean, string][] = [
  ['production', undefined, false, 'xurrent.com'],
  ['production', 'au', false, 'au.xurrent.com'],
  ['production', 'ch', false, 'ch.xurrent.com'],
  ['production', 'uk', false, 'uk.xurrent.com'],
  ['production', 'us', false, 'us.xurrent.com'],
  ['qa', undefined, false, 'xurrent.qa'],
  ['qa', 'au', false, 'au.xurrent.qa'],
  ['qa', 'ch', false, 'ch.xurrent.qa'],
  ['qa', 'uk', false, 'uk.xurrent.qa'],
  ['qa', 'us', false, 'us.xurrent.qa'],
  ['demo', undefined, false, 'xurrent-demo.com'],
  ['production', undefined, true, '4me.com'],
  ['production', 'au', true, 'au.4me.com'],
  ['production', 'ch', true, 'ch.4me.com'],
  ['production', 'uk', true, 'uk.4me.com'],
  ['production', 'us', true, 'us.4me.com'],
  ['qa', undefined, true, '4me.qa'],
  ['qa', 'au', true, 'au.4me.qa'],
  ['qa', 'ch', true, 'ch.4me.qa'],
  ['qa', 'uk', true, 'uk.4me.qa'],
  ['qa', 'us', true, 'us.4me.qa'],
  ['demo', undefined, true, '4me-demo.com'],
];

describe('stageEndpoints', () => {
  it.each(STAGE_ROWS)('%s region %s legacy %s → %s', (stage, region, legacy, domain) => {
    const endpoints = stageEndpoints({ stage, region, legacy });

    expect(endpoints).toEqual({
      stage,
      region,
      domain,
      oauthUrl: `https://oauth.${domain}/token`,
      authorizeUrl: `https://oauth.${domain}/authorize`,
      introspectUrl: `https://oauth.${domain}/introspect`,
      graphqlUrl: `https://graphql.${domain}/`,
      restUrl: `https://api.${domain}/v1`,
      accountUrlPattern: `https://{account}.${domain}`,
      warnings: [],
    });
  });

  it.each(XURRENT_REGIONS)('demo ignores region %s with a warning', (region) => {
    const endpoints = stageEndpoints({ stage: 'demo', region });

    expect(endpoints.domain).toBe('xurrent-demo.com');
    expect(endpoints.region).toBeUndefined();
    expect(endpoints.warnings).toEqual([
      `region "${region}" is ignored because the demo stage has only the global domain xurrent-demo.com`,
    ]);
  });

  it('legacy demo ignores region', () => {
    const endpoints = stageEndpoints({ stage: 'demo', region: 'us', legacy: true });

    expect(endpoints.graphqlUrl).toBe('https://graphql.4me-demo.com/');
    expect(endpoints.warnings).toHaveLength(1);
  });
});

describe('customEndpoints', () => {
  it('derives siblings under a path prefix', () => {
    const endpoints = customEndpoints({
      oauthUrl: 'http://127.0.0.1:4010/oauth/token',
      graphqlUrl: 'http://127.0.0.1:4010/graphql',
      accountUrlPattern: 'http://127.0.0.1:4010/accounts/{account}',
    });

    expect(endpoints).toEqual({
      stage: undefined,
      region: undefined,
      domain: undefined,
      oauthUrl: 'http://127.0.0.1:4010/oauth/token',
      authorizeUrl: 'http://127.0.0.1:4010/oauth/authorize',
      introspectUrl: 'http://127.0.0.1:4010/oauth/introspect',
      graphqlUrl: 'http://127.0.0.1:4010/graphql',
      restUrl: undefined,
      accountUrlPattern: 'http://127.0.0.1:4010/accounts/{account}',
      warnings: [],
    });
  });

  it('derives siblings at the host root', () => {
    const endpoints = customEndpoints({
      oauthUrl: 'https://oauth.example.test:8443/token',
      graphqlUrl: 'https://graphql.example.test:8443/',
      accountUrlPattern: 'https://{account}.example.test:8443',
    });

    expect(endpoints.introspectUrl).toBe('https://oauth.example.test:8443/introspect');
    expect(endpoints.authorizeUrl).toBe('https://oauth.example.test:8443/authorize');
  });

  it('keeps given introspect and authorize URLs', () => {
    const endpoints = customEndpoints({
      oauthUrl: 'https://sso.example.test/oauth2/access',
      graphqlUrl: 'https://graphql.example.test/',
      accountUrlPattern: 'https://{account}.example.test',
      introspectUrl: 'https://sso.example.test/oauth2/check',
      authorizeUrl: 'https://sso.example.test/oauth2/login',
      restUrl: 'https://api.example.test/v1',
    });

    expect(endpoints.introspectUrl).toBe('https://sso.example.test/oauth2/check');
    expect(endpoints.authorizeUrl).toBe('https://sso.example.test/oauth2/login');
    expect(endpoints.restUrl).toBe('https://api.example.test/v1');
  });

  it('rejects an OAuth URL without /token', () => {
    const call = () =>
      customEndpoints({
        oauthUrl: 'https://oauth.example.test/oauth2/access',
        graphqlUrl: 'https://graphql.example.test/',
        accountUrlPattern: 'https://{account}.example.test',
      });

    expect(call).toThrow(InvalidEndpointError);
    expect(call).toThrow(/^oauthUrl must end in \/token/);
  });

  it('rejects a pattern without {account}', () => {
    const call = () =>
      customEndpoints({
        oauthUrl: 'https://oauth.example.test/token',
        graphqlUrl: 'https://graphql.example.test/',
        accountUrlPattern: 'https://wdc.example.test',
      });

    expect(call).toThrow('accountUrlPattern must contain {account}');
  });

  it('rejects plain http on a remote host', () => {
    const call = () =>
      customEndpoints({
        oauthUrl: 'http://oauth.example.test/token',
        graphqlUrl: 'https://graphql.example.test/',
        accountUrlPattern: 'https://{account}.example.test',
      });

    expect(call).toThrow(/^oauthUrl must use https/);
  });

  it('accepts remote http when allowed', () => {
    const endpoints = customEndpoints({
      oauthUrl: 'http://sim:4010/oauth/token',
      graphqlUrl: 'http://sim:4010/graphql',
      accountUrlPattern: 'http://sim:4010/accounts/{account}',
      allowInsecureHttp: true,
    });

    expect(endpoints.introspectUrl).toBe('http://sim:4010/oauth/introspect');
  });

  it('rejects a URL that does not parse', () => {
    const call = () =>
      customEndpoints({
        oauthUrl: 'https://oauth.example.test/token',
        graphqlUrl: 'graphql.example.test',
        accountUrlPattern: 'https://{account}.example.test',
      });

    expect(call).toThrow('graphqlUrl is not a valid URL: "graphql.example.test"');
  });
});

describe('accountUrl', () => {
  it('fills in the account id', () => {
    const endpoints = stageEndpoints({ stage: 'production', region: 'us' });

    expect(accountUrl(endpoints, 'wdc')).toBe('https://wdc.us.xurrent.com');
  });

  it('fills in a path pattern', () => {
    const url = accountUrl({ accountUrlPattern: 'http://127.0.0.1:4010/accounts/{account}' }, 'globalnet-it');

    expect(url).toBe('http://127.0.0.1:4010/accounts/globalnet-it');
  });

  it.each(['', 'evil.example/x', 'wdc@host', '-wdc', 'a b'])('rejects account id %j', (accountId) => {
    const endpoints = stageEndpoints({ stage: 'production' });

    expect(() => accountUrl(endpoints, accountId)).toThrow(RangeError);
  });
});
