import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { XurrentConfigError, accountUrl, resolveConnectionSettings } from '../../src/xurrent/index.js';

const SECRET = 'sUp3r-s3cret-value';

const CREDENTIALS = {
  XAC_PROVIDER_ACCOUNT: 'wdc',
  XAC_PROVIDER_CLIENT_ID: 'client-1',
  XAC_PROVIDER_CLIENT_SECRET: SECRET,
};

const SIMULATOR = {
  XAC_XURRENT_OAUTH_URL: 'http://127.0.0.1:4010/oauth/token',
  XAC_XURRENT_GRAPHQL_URL: 'http://127.0.0.1:4010/graphql',
  XAC_XURRENT_ACCOUNT_URL_PATTERN: 'http://127.0.0.1:4010/accounts/{account}',
};

/** Returns the issues of the XurrentConfigError that resolving `env` throws. */
function issuesOf(env: Record<string, string | undefined>, file = {}): readonly string[] {
  try {
    resolveConnectionSettings(env, file);
  } catch (error) {
    if (error instanceof XurrentConfigError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error('expected XurrentConfigError');
}

describe('resolveConnectionSettings', () => {
  it('defaults to production global', () => {
    const settings = resolveConnectionSettings(CREDENTIALS);

    expect(settings.providerAccount).toBe('wdc');
    expect(settings.clientId).toBe('client-1');
    expect(settings.clientSecret).toBe(SECRET);
    expect(settings.endpoints.oauthUrl).toBe('https://oauth.xurrent.com/token');
    expect(settings.endpoints.graphqlUrl).toBe('https://graphql.xurrent.com/');
    expect(settings.publicUrl).toBeUndefined();
    expect(settings.warnings).toEqual([]);
  });

  it('reads stage and region', () => {
    const settings = resolveConnectionSettings({ ...CREDENTIALS, XAC_XURRENT_STAGE: 'qa', XAC_XURRENT_REGION: 'ch' });

    expect(settings.endpoints.domain).toBe('ch.xurrent.qa');
  });

  it('warns about a region on demo', () => {
    const settings = resolveConnectionSettings({ ...CREDENTIALS, XAC_XURRENT_STAGE: 'demo', XAC_XURRENT_REGION: 'au' });

    expect(settings.endpoints.domain).toBe('xurrent-demo.com');
    expect(settings.warnings).toEqual([
      'XAC_XURRENT_REGION: region "au" is ignored because the demo stage has only the global domain xurrent-demo.com',
    ]);
  });

  it('reads the custom endpoint set', () => {
    const settings = resolveConnectionSettings({
      ...CREDENTIALS,
      ...SIMULATOR,
      XAC_PUBLIC_URL: 'http://127.0.0.1:3000/',
    });

    expect(settings.endpoints.introspectUrl).toBe('http://127.0.0.1:4010/oauth/introspect');
    expect(settings.endpoints.authorizeUrl).toBe('http://127.0.0.1:4010/oauth/authorize');
    expect(accountUrl(settings, 'wdc')).toBe('http://127.0.0.1:4010/accounts/wdc');
    expect(settings.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('ignores empty variables', () => {
    const settings = resolveConnectionSettings({ ...CREDENTIALS, XAC_XURRENT_STAGE: '', XAC_XURRENT_OAUTH_URL: ' ' });

    expect(settings.endpoints.stage).toBe('production');
  });

  it('reads a config file', () => {
    const settings = resolveConnectionSettings(
      {},
      { providerAccount: 'wdc', clientId: 'client-1', clientSecret: SECRET, stage: 'production', legacy: true },
    );

    expect(settings.endpoints.graphqlUrl).toBe('https://graphql.4me.com/');
  });

  it('lets variables override the file', () => {
    const settings = resolveConnectionSettings(
      { ...CREDENTIALS, XAC_XURRENT_STAGE: 'qa' },
      { stage: 'production', clientId: 'from-file' },
    );

    expect(settings.endpoints.stage).toBe('qa');
    expect(settings.clientId).toBe('client-1');
  });

  it('lists every missing credential', () => {
    expect(issuesOf({})).toEqual([
      'XAC_PROVIDER_ACCOUNT is missing; set it to the id of the provider account, for example "wdc"',
      "XAC_PROVIDER_CLIENT_ID is missing; set it to the client id of the provider's OAuth application (client credentials grant)",
      "XAC_PROVIDER_CLIENT_SECRET is missing; set it to the client secret of the provider's OAuth application",
    ]);
  });

  it('rejects an unknown stage', () => {
    expect(issuesOf({ ...CREDENTIALS, XAC_XURRENT_STAGE: 'prod' })).toEqual([
      'XAC_XURRENT_STAGE must be one of production, qa, demo, got "prod"',
    ]);
  });

  it('rejects an unknown region', () => {
    expect(issuesOf({ ...CREDENTIALS, XAC_XURRENT_REGION: 'eu' })).toEqual([
      'XAC_XURRENT_REGION must be one of au, ch, uk, us, or unset for the global domain, got "eu"',
    ]);
  });

  it('rejects an invalid account id', () => {
    expect(issuesOf({ ...CREDENTIALS, XAC_PROVIDER_ACCOUNT: 'wdc.example' })).toEqual([
      'XAC_PROVIDER_ACCOUNT is not a valid account id (letters, digits and hyphens), got "wdc.example"',
    ]);
  });

  it('rejects an OAuth URL without GraphQL URL', () => {
    const env = { ...CREDENTIALS, ...SIMULATOR, XAC_XURRENT_GRAPHQL_URL: undefined };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_OAUTH_URL is set but XAC_XURRENT_GRAPHQL_URL is not; set both, or remove both and use XAC_XURRENT_STAGE',
    ]);
  });

  it('rejects a GraphQL URL without OAuth URL', () => {
    const env = { ...CREDENTIALS, ...SIMULATOR, XAC_XURRENT_OAUTH_URL: undefined };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_GRAPHQL_URL is set but XAC_XURRENT_OAUTH_URL is not; set both, or remove both and use XAC_XURRENT_STAGE',
    ]);
  });

  it('rejects custom URLs without a pattern', () => {
    const env = { ...CREDENTIALS, ...SIMULATOR, XAC_XURRENT_ACCOUNT_URL_PATTERN: undefined };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_OAUTH_URL and XAC_XURRENT_GRAPHQL_URL are set but XAC_XURRENT_ACCOUNT_URL_PATTERN is not; ' +
        'set it to the account URL with {account} in place of the account id, for example https://{account}.xurrent.com',
    ]);
  });

  it('rejects a pattern alone', () => {
    const env = { ...CREDENTIALS, XAC_XURRENT_ACCOUNT_URL_PATTERN: SIMULATOR.XAC_XURRENT_ACCOUNT_URL_PATTERN };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_ACCOUNT_URL_PATTERN is set but XAC_XURRENT_OAUTH_URL and XAC_XURRENT_GRAPHQL_URL are not; ' +
        'set all three, or remove it and use XAC_XURRENT_STAGE',
    ]);
  });

  it('rejects stage with custom URLs', () => {
    const env = { ...CREDENTIALS, ...SIMULATOR, XAC_XURRENT_STAGE: 'qa', XAC_XURRENT_REGION: 'us' };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_STAGE and XAC_XURRENT_OAUTH_URL are both set; remove XAC_XURRENT_STAGE to use custom endpoints, ' +
        'or remove the custom endpoints to use XAC_XURRENT_STAGE',
      'XAC_XURRENT_REGION and XAC_XURRENT_OAUTH_URL are both set; remove XAC_XURRENT_REGION to use custom endpoints, ' +
        'or remove the custom endpoints to use XAC_XURRENT_STAGE',
    ]);
  });

  it('rejects custom-only file keys with a stage', () => {
    expect(issuesOf(CREDENTIALS, { introspectUrl: 'https://oauth.example.test/introspect' })).toEqual([
      'introspectUrl in the config file applies only to custom endpoints; remove it, or set XAC_XURRENT_OAUTH_URL, ' +
        'XAC_XURRENT_GRAPHQL_URL and XAC_XURRENT_ACCOUNT_URL_PATTERN',
    ]);
  });

  it('names the file key at fault', () => {
    expect(issuesOf(CREDENTIALS, { oauthUrl: 'https://oauth.example.test/token' })).toEqual([
      'oauthUrl in the config file is set but XAC_XURRENT_GRAPHQL_URL is not; set both, or remove both and use XAC_XURRENT_STAGE',
    ]);
  });

  it('rejects an invalid custom URL', () => {
    const env = { ...CREDENTIALS, ...SIMULATOR, XAC_XURRENT_GRAPHQL_URL: 'http://xurrent.example.test/graphql' };

    expect(issuesOf(env)).toEqual([
      'XAC_XURRENT_GRAPHQL_URL must use https (plain http is accepted only for localhost and 127.0.0.1), ' +
        'got "http://xurrent.example.test/graphql"',
    ]);
  });

  it('rejects an invalid public URL', () => {
    expect(issuesOf({ ...CREDENTIALS, XAC_PUBLIC_URL: 'ftp://runtime.example.test' })).toEqual([
      'XAC_PUBLIC_URL must be an http(s) URL, got "ftp://runtime.example.test"',
    ]);
  });

  it('keeps the secret out of errors', () => {
    const issues = issuesOf({ ...CREDENTIALS, XAC_XURRENT_STAGE: SECRET });

    expect(issues).toEqual(['XAC_XURRENT_STAGE must be one of production, qa, demo, got "[REDACTED]"']);
  });

  it('redacts the secret in JSON', () => {
    const settings = resolveConnectionSettings(CREDENTIALS);

    expect(JSON.stringify(settings)).not.toContain(SECRET);
    expect(JSON.parse(JSON.stringify(settings))).toMatchObject({ clientSecret: '[REDACTED]', clientId: 'client-1' });
  });

  it('redacts the secret in inspect', () => {
    const settings = resolveConnectionSettings(CREDENTIALS);

    expect(inspect(settings, { depth: 5 })).not.toContain(SECRET);
    expect(inspect(settings, { depth: 5 })).toContain("clientSecret: '[REDACTED]'");
  });
});
